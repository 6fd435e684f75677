package dev.tern.broker.connection;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.session.Reservation;
import dev.tern.broker.session.Session;
import dev.tern.broker.store.QueueTarget;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.sys.BrokerMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Routes a PUBLISH when persistence is on. Everything that must survive a crash — the message for
 * each persistent session it is queued for (stored once), the retained update, and for QoS 2 the
 * inbound packet identifier — goes into one batch; only once that batch is durable are the deliveries
 * handed to their sessions, the retained store updated and the publisher acknowledged. A crash before
 * then leaves nothing behind (the publisher sends again); after, everything. A PUBLISH that needs no
 * store is routed at once, as without persistence. Event loop only.
 *
 * <p>A connected persistent session also gets a QoS 1 message at once, as a copy, while the batch is
 * written ({@link Session#deliverEarly}); when all the message's entries went out so and all were
 * acknowledged before the writer took them (and it is not retained), the publisher is acknowledged
 * then, without waiting for the write: the message has reached everyone it was stored for.
 */
final class DurableRouting {
    private DurableRouting() {}

    /**
     * A routed message waiting for its batch.
     *
     * @param stored      completes when the batch is durable (at once if there was nothing to store)
     * @param subscribers subscribers the message goes to
     */
    record Routed(CompletableFuture<Void> stored, int subscribers, Finish finish) {}

    /** What to do once the batch is stored or refused; releases the message either way. */
    interface Finish {
        void run(@Nullable Throwable error);
    }

    /**
     * Routes a message; the caller's reference to it is taken over.
     *
     * @param qos2PacketId the inbound QoS 2 packet id to store with it (the publisher's session is
     *                     persistent), or 0
     */
    static Routed route(Router router, Store store, Message message, @Nullable Session publisher, int qos2PacketId,
                        BrokerMetrics metrics) {
        Scratch shared = SCRATCH.get();
        // A delivery that routes again on this thread (re-entrancy) gets lists of its own.
        Scratch routed = shared.busy ? new Scratch() : shared;
        routed.busy = true;
        try {
            return route(router, store, message, publisher, qos2PacketId, metrics, routed);
        } finally {
            routed.clear();
            routed.busy = false;
        }
    }

    private static Routed route(Router router, Store store, Message message, @Nullable Session publisher,
                                int qos2PacketId, BrokerMetrics metrics, Scratch routed) {
        routed.store = store;
        int n = router.publish(message, routed, false);
        for (int i = 0; i < routed.dropped; i++) {
            metrics.recordPublishDropped();
        }
        boolean retained = message.retain() && !SysTopics.isSysTopic(message.topic());
        boolean qos2 = qos2PacketId != 0 && publisher != null && publisher.isStored();
        if (routed.targets.isEmpty() && !retained && !qos2) {
            // Nothing to store (clean sessions, QoS 0): deliver now, from the reused lists.
            deliver(router, message, routed.subscribers, routed.deliveries, routed.reservations);
            message.release();
            return new Routed(DONE, n, NOTHING_TO_FINISH);
        }
        List<Subscriber> subscribers = new ArrayList<>(routed.subscribers);
        List<Delivery> deliveries = new ArrayList<>(routed.deliveries);
        List<@Nullable Reservation> reservations = new ArrayList<>(routed.reservations);
        StoreBatch b = new StoreBatch();
        if (!routed.targets.isEmpty()) {
            b.enqueue(message, routed.targets);
        }
        if (retained) {
            if (message.payloadSize() == 0) {
                b.removeRetained(message.topic());
            } else {
                b.putRetained(message);
            }
        }
        if (qos2) {
            b.addInboundQos2(publisher.clientId(), qos2PacketId);
        }
        CompletableFuture<Void> stored = store.commit(b);
        CountDown acks = routed.acks;
        if (acks != null && !retained && !qos2 && routed.early == routed.targets.size()) {
            // Every stored entry went out early: the publisher may be acknowledged once all are.
            acks.run(); // the routing's own count
            stored = firstOf(stored, acks.done);
        }
        return new Routed(stored, n, error -> {
            if (error == null) {
                deliver(router, message, subscribers, deliveries, reservations);
            } else {
                // Not stored: nobody gets it, so that the publisher's next attempt is not a second copy.
                for (int i = 0; i < deliveries.size(); i++) {
                    deliveries.get(i).release();
                    Reservation r = reservations.get(i);
                    if (r != null) {
                        ((Session) subscribers.get(i)).unreserve(r);
                    }
                }
                metrics.recordPublishDropped();
            }
            message.release();
        });
    }

    /**
     * Completes when every early copy of a message was acknowledged before its entry was written: the
     * message has then reached every persistent session it was stored for, and nothing else in its
     * batch needed to be durable (not retained, no QoS 2 state), so its publisher may be acknowledged
     * without waiting for the write.
     */
    private static final class CountDown extends AtomicInteger implements Runnable {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        /** One count for the routing itself, given up once all targets are known; one per early entry. */
        CountDown() {
            super(1);
        }

        @Override
        public void run() {
            if (decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }

    /** Completes as the first of the two does: with its value or its failure. */
    private static CompletableFuture<Void> firstOf(CompletableFuture<Void> a, CompletableFuture<Void> b) {
        CompletableFuture<Void> first = new CompletableFuture<>();
        a.whenComplete((v, e) -> complete(first, e));
        b.whenComplete((v, e) -> complete(first, e));
        return first;
    }

    private static void complete(CompletableFuture<Void> f, @Nullable Throwable e) {
        if (e == null) {
            f.complete(null);
        } else {
            f.completeExceptionally(e);
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final Finish NOTHING_TO_FINISH = error -> { };

    /**
     * What one routing found, reused by every PUBLISH routed on a thread: most messages go to clean
     * sessions and need no store, and for them these lists are all the routing allocates no more.
     * {@code Enqueue} copies the targets, so they may be reused once the batch is built.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch implements Router.DeliverySink {
        final List<Subscriber> subscribers = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final List<@Nullable Reservation> reservations = new ArrayList<>();
        final List<QueueTarget> targets = new ArrayList<>();
        int dropped;
        boolean busy;
        /** The store of this routing; whether it takes writes was asked (early hand-overs may go out). */
        @Nullable Store store;
        boolean earlyChecked;
        /** Entries handed over early, and their count-down (null if none may go). */
        int early;
        @Nullable CountDown acks;

        @Override
        public void deliver(Subscriber sub, Delivery d) {
            Reservation r = null;
            if (sub instanceof Session s && s.isStored()) {
                if (!earlyChecked) {
                    // A store known to refuse writes refuses the batch: then no copy may go out before it.
                    earlyChecked = true;
                    acks = store.health().available() ? new CountDown() : null;
                }
                if (acks != null) {
                    acks.incrementAndGet(); // before the copy can be acknowledged; given back if none goes
                }
                r = s.reserveStored(d, acks);
                if (r != null && r.early()) {
                    early++;
                } else if (acks != null) {
                    acks.decrementAndGet(); // cannot reach 0: the routing holds a count
                }
            }
            if (r == Session.QUEUE_FULL) {
                d.release(); // max_queued_messages: dropped, as in memory
                dropped++;
                return;
            }
            if (r != null) {
                targets.add(r.target());
            }
            subscribers.add(sub);
            deliveries.add(d);
            reservations.add(r);
        }

        void clear() {
            subscribers.clear();
            deliveries.clear();
            reservations.clear();
            targets.clear();
            dropped = 0;
            early = 0;
            acks = null;
            earlyChecked = false;
            store = null;
        }
    }

    private static void deliver(Router router, Message message, List<Subscriber> subscribers, List<Delivery> deliveries,
                                List<@Nullable Reservation> reservations) {
        if (message.retain()) {
            router.retained().update(message);
        }
        for (int i = 0; i < deliveries.size(); i++) {
            Reservation r = reservations.get(i);
            if (r != null) {
                ((Session) subscribers.get(i)).deliverStored(deliveries.get(i), r);
            } else {
                subscribers.get(i).deliver(deliveries.get(i));
            }
        }
    }
}
