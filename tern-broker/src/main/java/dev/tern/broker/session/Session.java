package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.routing.Subscription;
import dev.tern.broker.routing.SubscriptionsByFilter;
import dev.tern.broker.store.EarlyAck;
import dev.tern.broker.store.QueueTarget;
import dev.tern.broker.store.RecoveredSession;
import dev.tern.broker.store.SessionRecord;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.SubscriptionRecord;
import dev.tern.broker.store.WillRecord;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Will;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the broker keeps for one client identifier: subscriptions, the outbound queue, the
 * in-flight window, the inbound QoS 2 packet identifiers awaiting PUBREL, the Session Expiry Interval
 * and a will waiting for its Will Delay Interval (MQTT 5.0).
 *
 * <p><b>Threading.</b> All state is owned by one event loop, {@link #owner}: the loop of the attached
 * connection, or of the last one. Other threads reach the session only through its mailbox
 * ({@link #deliver}, {@link #execute}), which the owner drains in order. Attaching a connection on
 * another loop hands ownership over: the old owner's last act is to publish the new owner, and the
 * drain notices and continues there. The connection calls the remaining methods directly, on its
 * own loop, which is the owner while it is attached.
 */
public final class Session implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final int DRAIN_BATCH = 1024;

    private final String clientId;
    private final SessionRegistry registry;
    private final SessionSettings settings;
    private final Router router;
    private final BrokerMetrics metrics;

    // Mailbox: any thread may offer, the owner drains. Linked chunks of 16 slots, not Netty's default
    // of 1,024: an idle session holds one chunk, and 4 KB per session was most of an idle
    // connection's heap (docs/architecture.md, "Memory per connection"). A busy mailbox allocates a
    // chunk per 16 messages, about 5 bytes per message. The capacity is bounded only by Netty's
    // maximum (2^30); deliveries are bounded by mailboxLimit. The queue itself is created by the
    // first offer (a CAS, as any thread may be first): with JCTools' padding against false sharing
    // and its first chunk it is about 670 bytes, and an idle session never needs it.
    private static final int MAILBOX_CHUNK = 16;
    private static final VarHandle MAILBOX;
    private static final VarHandle DRAIN_SCHEDULED;
    private static final VarHandle MAILBOX_DELIVERIES;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            MAILBOX = l.findVarHandle(Session.class, "mailbox", Queue.class);
            DRAIN_SCHEDULED = l.findVarHandle(Session.class, "drainScheduled", int.class);
            MAILBOX_DELIVERIES = l.findVarHandle(Session.class, "mailboxDeliveries", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile @Nullable Queue<Object> mailbox;
    /** 1 while a drain task is queued on the owner (fields with VarHandles, not atomics: 16 B each less). */
    private volatile int drainScheduled;
    /** Deliveries in the mailbox, bounded by mailboxLimit. */
    private volatile int mailboxDeliveries;
    private final int mailboxLimit;
    private final Runnable drainTask = this::drain;
    /** Holds the publishers that feed this session while its backlog is above the high-water mark. */
    private final BackPressure backPressure;
    private volatile EventLoop owner;
    /** A connection is attached; read by shared subscription groups on any loop. */
    private volatile boolean online;
    /**
     * No connection is attached or on its way (set by the owner loop once the last one detached,
     * cleared when one starts to attach): a QoS 0 delivery can be dropped by the thread that routes
     * it. A take-over never sets it, so it drops nothing a connected client would have received.
     */
    private volatile boolean idle;

    // Owned by the event loop in `owner`.
    private @Nullable SessionConnection connection;
    private @Nullable SessionConnection pendingConnection;
    /** Seconds the session outlives its connection: 0 = not at all, {@link ConnectRequest#NEVER} = for ever. */
    private long expiryInterval;
    private boolean discarded;
    private final SubscriptionsByFilter subscriptions = new SubscriptionsByFilter();
    private final OutboundQueue queue;
    private final InflightWindow inflight;
    private @Nullable Set<Integer> inboundQos2;
    /** Created when the session first outlives a connection. */
    private @Nullable MailboxTimer expiryTimer;
    private final DelayedWill will;
    private boolean hasSharedSubscriptions;
    private boolean dropLogged;
    /** The session's place in the durable store while it outlives its connection, else null. */
    private @Nullable SessionStorage storage;
    /** The incarnation publishers store into (any thread reads it); null unless {@link #storage} is set. */
    private volatile StoredOutbox.@Nullable Incarnation storedIncarnation;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
    /** What the stored outbox may ask of this session; created with the session's first storage. */
    private StoredOutbox.@Nullable Host storageHost;

    private StoredOutbox.Host storageHost() {
        StoredOutbox.Host h = storageHost;
        if (h == null) {
            h = newStorageHost();
            storageHost = h;
        }
        return h;
    }

    private StoredOutbox.Host newStorageHost() {
        return new StoredOutbox.Host() {
        @Override
        public void execute(Runnable task) {
            Session.this.execute(task);
        }

        @Override
        public @Nullable SessionConnection connection() {
            return connection;
        }

        @Override
        public void sent(Delivery d) {
            metrics.recordPublishSent(d.message().payloadSize());
        }

        @Override
        public boolean mayReceive(String topic) {
            return readPermission.test(topic);
        }

        @Override
        public void dropped(Delivery d) {
            metrics.recordPublishDropped();
        }

        @Override
        public void schedule(long millis, Runnable task) {
            owner.schedule(() -> Session.this.execute(task), millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void resync(String why) {
            SessionConnection c = connection;
            if (c != null) {
                LOG.warn("Closing the connection of client {}: {}.", clientId, why);
                c.close();
            }
        }
        };
    }

    Session(String clientId, EventLoop owner, SessionRegistry registry, SessionSettings settings, Router router,
            BrokerMetrics metrics) {
        this.clientId = clientId;
        this.owner = owner;
        this.registry = registry;
        this.settings = settings;
        this.router = router;
        this.metrics = metrics;
        this.queue = new OutboundQueue(settings.maxQueuedMessages(), settings.maxQueuedBytes(), metrics);
        this.inflight = new InflightWindow(settings.effectiveMaxInflight(), metrics);
        this.mailboxLimit = settings.maxQueuedMessages() == 0 ? Integer.MAX_VALUE
                : Math.max(1024, 2 * settings.maxQueuedMessages());
        this.backPressure = new BackPressure(settings.maxQueuedMessages());
        this.will = new DelayedWill(this, router);
    }

    /** A pending will went away (published or cancelled): the store forgets it. */
    void willDone() {
        if (storage != null) {
            storage.willDone();
        }
    }

    /** The event loop that owns the session now. */
    EventLoop ownerLoop() {
        return owner;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean isConnected() {
        return online;
    }

    @Override
    public boolean discardsQos0() {
        return idle && !settings.queueQos0Messages();
    }

    /** The read permission of the client that last attached (its ACL), asked for every message routed here. */
    private volatile java.util.function.Predicate<String> readPermission = topic -> true;

    @Override
    public boolean mayReceive(String topic) {
        return readPermission.test(topic);
    }

    /**
     * Sets the read permission for messages routed to this session from now on; the connection
     * sets it when it attaches, so an offline session keeps the permission of its last client.
     */
    public void readPermission(java.util.function.Predicate<String> permission) {
        this.readPermission = java.util.Objects.requireNonNull(permission, "permission");
    }

    // ---- Any thread ------------------------------------------------------------------------

    /** Hands a delivery to the session; it is queued, sent or dropped on the owner loop. */
    @Override
    public void deliver(Delivery delivery) {
        if (delivery.qos() == QoS.AT_MOST_ONCE && discardsQos0()) {
            // What enqueue() would do on the owner loop, without the hand-off to it: with many offline
            // sessions that saves a task on their loops for every copy.
            delivery.release();
            return;
        }
        int inMailbox = (int) MAILBOX_DELIVERIES.getAndAdd(this, 1) + 1;
        if (inMailbox > mailboxLimit) {
            MAILBOX_DELIVERIES.getAndAdd(this, -1);
            delivery.release();
            metrics.recordPublishDropped();
            return;
        }
        mailbox().offer(delivery);
        scheduleDrain();
        if (online && backPressure.delivered(this, inMailbox)) {
            execute(this::checkPressure); // the owner may have drained meanwhile: it looks again after this
        }
    }

    /**
     * Reserves a position in this session's stored queue for a delivery, if the session keeps its queue
     * in the durable store and the delivery belongs there (QoS 1/2; QoS 0 only for an offline session
     * with {@code queue_qos0_messages}). Any thread.
     *
     * @return the reservation; null if the delivery is not to be stored (deliver it as usual);
     *         {@link #QUEUE_FULL} if the queue is at {@code max_queued_messages} (drop it)
     */
    public @Nullable Reservation reserveStored(Delivery d) {
        return reserveStored(d, null);
    }

    /**
     * As {@link #reserveStored(Delivery)}; with {@code onEarlyAck} set, a QoS 1 delivery (published
     * and delivered at QoS 1) to a connected session also goes to it at once, as a copy, in parallel
     * with its write ({@link Reservation#early()}; see EarlyAck for why QoS 2 waits), and a PUBACK
     * that comes before the write runs {@code onEarlyAck}.
     */
    public @Nullable Reservation reserveStored(Delivery d, @Nullable Runnable onEarlyAck) {
        StoredOutbox.Incarnation inc = storedIncarnation;
        if (inc == null || (d.qos() == QoS.AT_MOST_ONCE && (online || !settings.queueQos0Messages()))) {
            return null;
        }
        int max = settings.maxQueuedMessages();
        if (max > 0 && inc.entries() >= (long) max + settings.effectiveMaxInflight()) {
            return QUEUE_FULL;
        }
        Reservation r;
        if (onEarlyAck != null && EARLY_HAND_OVER && online && d.qos() == QoS.AT_LEAST_ONCE
                && d.message().qos() == QoS.AT_LEAST_ONCE) {
            EarlyAck ack = new EarlyAck(onEarlyAck);
            Delivery copy = new Delivery(d.message().retainRef(), d.qos(), d.retain(), d.subscriptionIdentifiers(),
                    d.sharedFilter());
            // Positions and their copies reach the mailbox in the same order (publishers on several
            // loops): the outbox takes a copy only when it is next in line.
            synchronized (inc) {
                r = Reservation.of(inc, clientId, d, ack);
                deliverEarly(copy, r);
            }
        } else {
            r = Reservation.of(inc, clientId, d, null);
        }
        // Back-pressure as for a session in memory: the stored backlog beyond the window counts. (Without
        // it publishers outrun a connected subscriber, whose queue then goes to disk and is read back.)
        if (online && backPressure.delivered(this, storedBacklog(inc))) {
            execute(this::checkPressure);
        }
        return r;
    }

    private int storedBacklog(StoredOutbox.Incarnation inc) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, inc.entries() - settings.effectiveMaxInflight()));
    }

    /** Early hand-over of QoS 1 messages (see {@link #deliverEarly}); the property is for benchmarks. */
    private static final boolean EARLY_HAND_OVER =
            !Boolean.getBoolean("tern.store.noEarlyHandOver");

    /**
     * Hands over a copy of a delivery whose reserved entry is not durable yet ({@link
     * Reservation#early()}); the delivery itself follows with {@link #deliverStored} once it is.
     * Any thread.
     */
    void deliverEarly(Delivery copy, Reservation r) {
        MAILBOX_DELIVERIES.getAndAdd(this, 1);
        mailbox().offer(new StoredDelivery(copy, r.target().sessionKey(), r.target().seq(), r.target().early(), true));
        scheduleDrain();
    }

    /** What {@link #reserveStored} returns for a full queue. */
    public static final Reservation QUEUE_FULL = new Reservation(new StoredOutbox.Incarnation(0, 0, 0),
            new QueueTarget("", 0, 0, QoS.AT_MOST_ONCE, false, List.of()));

    /** Hands over a delivery whose reserved entry is now durable. Any thread. */
    public void deliverStored(Delivery d, Reservation r) {
        MAILBOX_DELIVERIES.getAndAdd(this, 1);
        mailbox().offer(new StoredDelivery(d, r.target().sessionKey(), r.target().seq(), r.target().early(), false));
        scheduleDrain();
    }

    /** Gives back a reserved position whose commit failed. Any thread. */
    public void unreserve(Reservation r) {
        EarlyAck early = r.target().early();
        if (early == null || early.claimRemoval()) {
            r.incarnation.removed(); // else an early copy's PUBACK counted it already
        }
    }

    /** True if the session keeps its state in the durable store (a persistent session, persistence on). */
    public boolean isStored() {
        return storedIncarnation != null;
    }

    /** Runs a task on the owner loop, after everything already in the mailbox. */
    public void execute(Runnable task) {
        mailbox().offer(task);
        scheduleDrain();
    }

    /** True once something was offered to the mailbox (an idle session has none); for tests. */
    boolean hasMailbox() {
        return mailbox != null;
    }

    /** The mailbox, created by the first thread that offers to it; the others use that one. */
    @SuppressWarnings("unchecked")
    private Queue<Object> mailbox() {
        Queue<Object> m = mailbox;
        if (m == null) {
            Queue<Object> created = PlatformDependent.newMpscQueue(MAILBOX_CHUNK, 1 << 30);
            Queue<Object> witness = (Queue<Object>) MAILBOX.compareAndExchange(this, null, created);
            m = witness == null ? created : witness;
        }
        return m;
    }

    private void scheduleDrain() {
        if (DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
            owner.execute(drainTask);
        }
    }

    private void drain() {
        EventLoop current = owner;
        if (!current.inEventLoop()) {
            current.execute(drainTask); // ownership moved while this task was queued
            return;
        }
        drainScheduled = 0;
        Queue<Object> mailbox = this.mailbox; // set: whoever scheduled this drain offered first
        if (mailbox == null) {
            return;
        }
        int processed = 0;
        Object item;
        while ((item = mailbox.poll()) != null) {
            if (item instanceof Delivery d) {
                MAILBOX_DELIVERIES.getAndAdd(this, -1);
                enqueue(d);
            } else if (item instanceof StoredDelivery sd) {
                MAILBOX_DELIVERIES.getAndAdd(this, -1);
                arrivedStored(sd);
            } else {
                ((Runnable) item).run();
                if (owner != current) {
                    // Ownership moved: this loop must not touch the session any more.
                    if (!mailbox.isEmpty()) {
                        scheduleDrain();
                    }
                    return;
                }
            }
            if (++processed == DRAIN_BATCH) {
                scheduleDrain(); // let other sessions and I/O on this loop run
                break;
            }
        }
        pumpAndFlush();
    }

    // ---- Owner loop: connection life cycle -------------------------------------------------

    /** Attaches a connection (from {@link SessionRegistry#connect}); runs on the current owner. */
    void attach(ConnectRequest request, SessionConnection newConnection) {
        if (discarded) {
            registry.connect(request, newConnection); // lost a race with discard: start afresh
            return;
        }
        idle = false;
        SessionConnection old = connection != null ? connection : pendingConnection;
        boolean wasAttached = connection != null;
        connection = null;
        pendingConnection = null;
        if (old != null) {
            LOG.info("Client {} already connected, closing old connection.", clientId);
            Will oldWill = old.takenOver();
            if (wasAttached) {
                online = false;
                will.arm(oldWill, expiryInterval); // MQTT-3.1.4-3: the old connection ends without DISCONNECT
            }
        }
        boolean sessionPresent = expiryInterval > 0 && !request.cleanStart();
        if (wasAttached && sessionPresent && storage != null) {
            // As after a disconnect: the stored outbox forgets what it sent to the old connection and
            // re-reads from its first unfinished entry, so the new one gets those again with DUP 1
            // (MQTT-4.4.0-1). Without this the old connection's flights were never re-sent.
            storage.outbox().detach();
        }
        if (sessionPresent) {
            will.cancel(); // MQTT-3.1.3-9: reconnected within the Will Delay Interval
        } else {
            will.publishPending(); // the old session ends here, and with it the delay
            resetState();
        }
        expiryInterval = settings.effectiveExpiry(request.sessionExpiryInterval());
        cancelExpiry();
        version = request.version();
        CompletableFuture<Void> stored = prepareStorage(sessionPresent);
        pendingConnection = newConnection;
        EventLoop target = newConnection.eventLoop();
        if (target == owner) {
            completeAttach(newConnection, sessionPresent, stored);
        } else {
            owner = target; // last act on the old loop: from here on the new loop owns the session
            target.execute(() -> completeAttach(newConnection, sessionPresent, stored));
        }
    }

    /**
     * Brings the store up to date with the session a connection starts: a new persistent session is
     * stored before its CONNACK (the future), a resumed one is updated, a session that no longer
     * outlives its connection leaves the store.
     */
    private CompletableFuture<Void> prepareStorage(boolean sessionPresent) {
        Store store = registry.store();
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (expiryInterval == 0) {
            if (storage != null) {
                storage.ended();
                storage = null;
                storedIncarnation = null;
            }
            return CompletableFuture.completedFuture(null);
        }
        if (sessionPresent && storage != null) {
            storage.resumed(version, expiryInterval);
            return CompletableFuture.completedFuture(null);
        }
        if (storage != null) {
            storage.outbox().releaseMemory(); // the new incarnation replaces the old one in the store
        }
        StoreBatch b = new StoreBatch();
        storage = SessionStorage.create(store, storageHost(), clientId, version, expiryInterval, inflight.capacity(), b);
        storedIncarnation = storage.outbox().incarnation();
        return store.commit(b);
    }

    private void completeAttach(SessionConnection c, boolean sessionPresent, CompletableFuture<Void> stored) {
        if (!stored.isDone()) {
            stored.whenComplete((v, e) -> execute(() -> completeAttach(c, sessionPresent, stored)));
            return;
        }
        if (!owner.inEventLoop() || pendingConnection != c) {
            return; // a newer connection took over while this one was handed over; it closed this one
        }
        pendingConnection = null;
        if (stored.isCompletedExceptionally()) {
            // A new persistent session the store could not take: refuse the connection, forget the session.
            LOG.warn("Refusing client {}: its persistent session cannot be stored.", clientId);
            storage = null;
            storedIncarnation = null;
            expiryInterval = 0;
            c.refusedByStore();
            discard();
            return;
        }
        if (!c.isActive()) {
            afterDetach();
            return;
        }
        connection = c;
        online = true;
        c.attached(this, sessionPresent);
        resendInflight(c);
        if (storage != null) {
            storage.outbox().attach(inflight.capacity());
        }
        pump();
        c.flush(); // the re-sent flows too, even when the window leaves no room for new messages
    }

    /** The connection went away (any reason) without a will; runs on its loop, which is the owner. */
    public void detach(SessionConnection c) {
        detach(c, null);
    }

    /**
     * The connection went away; runs on its loop, which is the owner.
     *
     * @param will the connection's will if it ended without a DISCONNECT that discards it: published now,
     *             or after its Will Delay Interval if the session lasts that long (MQTT-3.1.2-8)
     */
    public void detach(SessionConnection c, @Nullable Will lastWill) {
        if (pendingConnection == c) {
            pendingConnection = null;
            will.arm(lastWill, expiryInterval);
            afterDetach();
            return;
        }
        if (connection != c) {
            return;
        }
        connection = null;
        online = false;
        will.arm(lastWill, expiryInterval);
        afterDetach();
    }

    /**
     * Changes the Session Expiry Interval, from the DISCONNECT of the attached connection (MQTT 5.0
     * section 3.14.2.2.2); limited like the CONNECT's.
     */
    public void setExpiryInterval(long seconds) {
        expiryInterval = settings.effectiveExpiry(seconds);
    }

    /** The Session Expiry Interval in force. */
    public long expiryInterval() {
        return expiryInterval;
    }

    private void afterDetach() {
        backPressure.releaseAll(); // an offline session holds nobody
        handOverSharedDeliveries();
        if (expiryInterval == 0) {
            discard();
            return;
        }
        if (!settings.queueQos0Messages()) {
            queue.dropQos0();
        }
        idle = connection == null && pendingConnection == null && owner.inEventLoop();
        if (storage != null) {
            storage.outbox().detach(); // the queue stays in the store; memory keeps nothing of it
            Will w = will.pending();
            storage.disconnected(expiryInterval, w, w == null ? 0 : will.dueAtMillis());
        }
        scheduleExpiry();
    }

    private void handOverSharedDeliveries() {
        if (hasSharedSubscriptions) {
            SharedHandOver.handOver(queue, inflight, router, this);
        }
    }

    private MailboxTimer expiryTimer() {
        MailboxTimer t = expiryTimer;
        if (t == null) {
            t = new MailboxTimer(this);
            expiryTimer = t;
        }
        return t;
    }

    private void cancelExpiry() {
        if (expiryTimer != null) {
            expiryTimer.cancel();
        }
    }

    private void scheduleExpiry() {
        if (expiryInterval != ConnectRequest.NEVER) {
            expiryTimer().schedule(expiryInterval, this::expireIfOffline);
        }
    }

    /** The will waiting for its delay, or null; for diagnostics and persistence. */
    public @Nullable Will pendingWill() {
        return will.pending();
    }

    private void expireIfOffline() {
        if (discarded || connection != null || pendingConnection != null) {
            return;
        }
        LOG.info("Expiring client {} (session expiry interval {} s).", clientId, expiryInterval);
        metrics.sessionExpired();
        handOverSharedDeliveries();
        discard();
    }

    /** Ends the session: forgets its subscriptions and releases its messages. */
    private void discard() {
        discarded = true;
        cancelExpiry();
        will.publishPending(); // the session ends: a delayed will goes out now (MQTT-3.1.2-8)
        registry.remove(this);
        resetState();
        if (storage != null) {
            storage.ended();
            storage = null;
            storedIncarnation = null;
        }
        // Deliveries still in the mailbox are released by enqueue() when drained.
    }

    private void resetState() {
        subscriptions.forEach(s -> router.unsubscribe(this, s.filter()));
        subscriptions.clear();
        hasSharedSubscriptions = false;
        queue.clear();
        inflight.clear();
        backPressure.releaseAll();
        inboundQos2 = null;
        dropLogged = false;
    }

    /**
     * Brings back a persistent session read from the store at start-up: offline, with its subscriptions,
     * inbound QoS 2 ids, a will waiting for its delay and its expiry timer (counted from the time its
     * client left, or from now if it was connected when the broker stopped). Before the broker serves.
     */
    void restore(RecoveredSession rs, Store store) {
        SessionRecord r = rs.session();
        expiryInterval = r.expiryIntervalSeconds();
        version = r.version();
        storage = SessionStorage.recovered(store, storageHost(), rs, inflight.capacity());
        storedIncarnation = storage.outbox().incarnation();
        for (SubscriptionRecord sr : rs.subscriptions()) {
            Subscription sub = new Subscription(this, sr.filter(), sr.qos(), sr.noLocal(), sr.retainAsPublished(),
                    sr.retainHandling(), sr.subscriptionIdentifier());
            router.subscribe(sub);
            subscriptions.put(sub);
            hasSharedSubscriptions |= sub.sharedFilter();
        }
        if (!rs.inboundQos2().isEmpty()) {
            inboundQos2 = new HashSet<>(rs.inboundQos2());
        }
        long now = System.currentTimeMillis();
        WillRecord w = rs.will();
        if (w != null) {
            long dueIn = w.publishAtMillis() == 0 ? Math.min(w.delaySeconds(), expiryInterval)
                    : Math.max(0, (w.publishAtMillis() - now + 999) / 1000);
            will.restore(new Will(w.topic(), w.payload(), w.qos(), w.retain(), w.properties()), dueIn);
        }
        long expiresAt = r.expiresAtMillis(now);
        if (expiresAt != Long.MAX_VALUE) {
            expiryTimer().schedule(Math.max(0, (expiresAt - now + 999) / 1000), this::expireIfOffline);
        }
        idle = true; // offline, and no connection can be on its way before the broker serves
    }

    /** Releases everything without any loop; only after the broker's event loops have stopped. */
    void releaseAfterShutdown() {
        discarded = true;
        queue.clear();
        inflight.clear();
        if (storage != null) {
            storage.outbox().releaseMemory();
        }
        Queue<Object> mailbox = this.mailbox;
        Object item;
        while (mailbox != null && (item = mailbox.poll()) != null) {
            if (item instanceof Delivery d) {
                d.release();
            } else if (item instanceof StoredDelivery sd) {
                sd.delivery().release();
            }
        }
    }

    // ---- Owner loop: outbound messages -----------------------------------------------------

    private void enqueue(Delivery d) {
        if (discarded) {
            d.release();
            return;
        }
        // A connection still being handed over from another loop counts as online: queue, don't drop.
        boolean offline = connection == null && pendingConnection == null;
        if (offline && d.qos() == QoS.AT_MOST_ONCE && !settings.queueQos0Messages()) {
            d.release(); // QoS 0 is not queued for offline clients unless configured
            return;
        }
        if (storage != null && (d.qos() != QoS.AT_MOST_ONCE || offline)) {
            // Not stored by its publisher (a retained message for a new subscription, a will, a shared
            // message handed over): store it first, it enters the queue from the store.
            storage.storeLate(d, metrics::recordPublishDropped, storageHost());
            return;
        }
        if (offerMakingRoom(d)) {
            backPressure.queued(queue.size());
        } else {
            d.release();
            metrics.recordPublishDropped();
            if (!dropLogged) {
                dropLogged = true;
                LOG.warn("Outgoing messages are being dropped for client {} (queue full: {} messages, {} bytes).",
                        clientId, queue.size(), queue.bytes());
            }
        }
    }

    /**
     * Queues a delivery. A full queue first moves what it can into flight, because
     * max_queued_messages counts only messages beyond the in-flight window (as in Mosquitto), also
     * when a burst reaches the mailbox in one drain.
     */
    private boolean offerMakingRoom(Delivery d) {
        if (queue.offer(d)) {
            return true;
        }
        pumpAndFlush();
        return queue.offer(d);
    }

    /**
     * Delivers a retained message matched by a new subscription, with RETAIN 1 and the subscription's
     * identifier; on the owner loop. Takes over the caller's message reference.
     */
    public void deliverRetained(Message message, QoS qos, int subscriptionIdentifier) {
        enqueue(new Delivery(message, qos, true,
                subscriptionIdentifier == 0 ? List.of() : List.of(subscriptionIdentifier)));
    }

    /** {@link #deliverRetained(Message, QoS, int)} without a subscription identifier. */
    public void deliverRetained(Message message, QoS qos) {
        deliverRetained(message, qos, 0);
    }

    /** A delivery whose entry its publisher stored: to the stored queue. */
    private void arrivedStored(StoredDelivery sd) {
        if (discarded || storage == null) {
            sd.delivery().release();
            return;
        }
        if (sd.beforeDurable()) {
            storage.outbox().arrivedEarly(sd.delivery(), sd.sessionKey(), sd.seq(), sd.early());
        } else {
            storage.outbox().arrived(sd.delivery(), sd.sessionKey(), sd.seq(), sd.early());
        }
    }

    /** Moves queued deliveries into flight while the window has room and the channel is writable. */
    private boolean pump() {
        SessionConnection c = connection;
        if (c == null) {
            checkPressure();
            return false;
        }
        boolean wrote = storage != null && storage.outbox().pump();
        if (inflight.resendDue() > 0) {
            wrote |= resendDeferred(c);
        }
        long now = 0;
        while (c.isWritable()) {
            Delivery d = queue.peek();
            if (d == null) {
                break;
            }
            if (d.message().expires()) {
                if (now == 0) {
                    now = System.nanoTime();
                }
                if (d.message().isExpired(now)) {
                    queue.poll(); // MQTT-3.3.2-5: expired before onward delivery started
                    d.release();
                    metrics.messageExpired();
                    continue;
                }
            }
            if (!c.fits(d)) {
                // MQTT-3.1.2-25: larger than the client's Maximum Packet Size; dropped as if sent.
                queue.poll();
                d.release();
                metrics.recordPublishDropped();
                LOG.debug("Dropped a message on {} for client {}: larger than its maximum packet size.",
                        d.message().topic(), clientId);
                continue;
            }
            if (d.qos() == QoS.AT_MOST_ONCE) {
                queue.poll();
                c.writePublish(d, 0, false);
                d.release();
            } else {
                if (inflight.isFull()) {
                    break;
                }
                queue.poll();
                InflightWindow.Entry e = inflight.add(d);
                c.writePublish(d, e.packetId, false);
            }
            metrics.recordPublishSent(d.message().payloadSize());
            wrote = true;
        }
        if (queue.isEmpty()) {
            dropLogged = false;
        }
        checkPressure();
        return wrote;
    }

    /** Resumes the held publishers once the backlog is down to the low-water mark (or nobody reads). */
    private void checkPressure() {
        int stored = storage == null ? 0 : (int) Math.min(Integer.MAX_VALUE, storage.outbox().queued());
        backPressure.check(queue.size(), mailboxDeliveries + stored, connection != null);
    }

    private void pumpAndFlush() {
        if (pump() && connection != null) {
            connection.flush();
        }
    }

    /**
     * Re-sends the unacknowledged flows of a resumed session in their original order (MQTT-4.4.0-1):
     * every PUBREL, and PUBLISHes (DUP 1) as far as the client's Receive Maximum allows; the rest follow
     * as acknowledgements make room (MQTT-3.3.4-9).
     */
    private void resendInflight(SessionConnection c) {
        int sent = 0;
        for (InflightWindow.Entry e : inflight.entries()) {
            if (e.state == InflightWindow.State.AWAITING_PUBCOMP) {
                c.writePubRel(e.packetId);
                sent++;
            } else if (e.delivery != null) {
                if (sent < inflight.capacity()) {
                    c.writePublish(e.delivery, e.packetId, true);
                    metrics.recordPublishSent(e.delivery.message().payloadSize());
                    sent++;
                } else {
                    inflight.markResendDue(e);
                }
            }
        }
    }

    private boolean resendDeferred(SessionConnection c) {
        boolean wrote = false;
        for (InflightWindow.Entry e : inflight.entries()) {
            if (inflight.resendDue() == 0 || inflight.outstanding() >= inflight.capacity() || !c.isWritable()) {
                break;
            }
            if (e.resendDue && e.delivery != null) {
                inflight.resent(e);
                c.writePublish(e.delivery, e.packetId, true);
                metrics.recordPublishSent(e.delivery.message().payloadSize());
                wrote = true;
            }
        }
        return wrote;
    }

    /** Sends what is queued as far as the window and the channel allow (e.g. writable again). */
    public void sendQueued() {
        pumpAndFlush();
    }

    /** PUBACK from the client: a QoS 1 flow is complete. */
    public void onPubAck(int packetId) {
        if (storage != null && storage.outbox().onPubAck(packetId)) {
            checkPressure();
            flush();
            return;
        }
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.state != InflightWindow.State.AWAITING_PUBACK) {
            LOG.debug("Client {} sent PUBACK for unknown packet id {}.", clientId, packetId);
            return;
        }
        inflight.remove(packetId);
        inflight.releaseDelivery(e);
        pumpAndFlush();
    }

    /**
     * PUBREC from the client. On success the message is released and PUBREL becomes due; an error
     * reason code (MQTT 5.0) ends the flow.
     *
     * @return true if a PUBREL is due for this packet id (known flow, success)
     */
    public PubRecOutcome onPubRec(int packetId, int reasonCode) {
        if (storage != null && storage.outbox().onPubRec(packetId, reasonCode, id -> {
            SessionConnection c = connection;
            if (c != null) {
                c.writePubRel(id); // the PUBREC is durable now: a crash cannot lead to a second delivery
                c.flush();
            }
        })) {
            flush();
            return reasonCode >= 0x80 ? PubRecOutcome.ENDED : PubRecOutcome.PUBREL_LATER;
        }
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.state == InflightWindow.State.AWAITING_PUBACK) {
            LOG.debug("Client {} sent PUBREC for unknown packet id {}.", clientId, packetId);
            return PubRecOutcome.UNKNOWN;
        }
        if (reasonCode >= 0x80) {
            inflight.remove(packetId);
            inflight.releaseDelivery(e);
            pumpAndFlush();
            return PubRecOutcome.ENDED;
        }
        e.state = InflightWindow.State.AWAITING_PUBCOMP;
        inflight.releaseDelivery(e);
        return PubRecOutcome.PUBREL_NOW;
    }

    /** What a PUBREC leads to. */
    public enum PubRecOutcome {
        /** Send PUBREL now. */
        PUBREL_NOW,
        /** The session sends PUBREL itself once the PUBREC is stored. */
        PUBREL_LATER,
        /** No such flow: answer so that the client can finish (0x92 in MQTT 5.0). */
        UNKNOWN,
        /** An error reason code ended the flow. */
        ENDED
    }

    private void flush() {
        SessionConnection c = connection;
        if (c != null) {
            c.flush();
        }
    }

    /** PUBCOMP from the client: a QoS 2 flow is complete. */
    public void onPubComp(int packetId) {
        if (storage != null && storage.outbox().onPubComp(packetId)) {
            checkPressure();
            flush();
            return;
        }
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.state != InflightWindow.State.AWAITING_PUBCOMP) {
            LOG.debug("Client {} sent PUBCOMP for unknown packet id {}.", clientId, packetId);
            return;
        }
        inflight.remove(packetId);
        pumpAndFlush();
    }


    // ---- Owner loop: inbound QoS 2 ---------------------------------------------------------

    /**
     * Records an inbound QoS 2 packet id until PUBREL (MQTT-4.3.3-2).
     *
     * @return true the first time, false for a re-sent PUBLISH that must not be delivered again
     */
    public boolean beginInboundQos2(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new HashSet<>();
        }
        return inboundQos2.add(packetId);
    }

    /** True if an inbound QoS 2 flow with this packet id awaits PUBREL. */
    public boolean hasInboundQos2(int packetId) {
        return inboundQos2 != null && inboundQos2.contains(packetId);
    }

    /** Inbound QoS 2 flows awaiting PUBREL: what counts against the broker's Receive Maximum. */
    public int inboundQos2Count() {
        return inboundQos2 == null ? 0 : inboundQos2.size();
    }

    /**
     * PUBREL from the client: forgets the packet id.
     *
     * @return true if the id was known
     */
    public boolean endInboundQos2(int packetId) {
        return inboundQos2 != null && inboundQos2.remove(packetId);
    }

    // ---- Owner loop: subscriptions ---------------------------------------------------------

    /**
     * Adds or replaces this session's subscription to the subscription's filter.
     *
     * @return true if a subscription to the same filter existed and was replaced
     */
    public boolean subscribe(Subscription subscription) {
        router.subscribe(subscription);
        if (subscription.sharedFilter()) {
            hasSharedSubscriptions = true;
        }
        return subscriptions.put(subscription) != null;
    }

    /**
     * Removes this session's subscription to a filter.
     *
     * @return true if there was one
     */
    public boolean unsubscribe(String filter) {
        if (subscriptions.remove(filter) == null) {
            return false;
        }
        router.unsubscribe(this, filter);
        return true;
    }

    /** This session's subscriptions. */
    public Collection<Subscription> subscriptions() {
        return subscriptions.toList();
    }

    /** Sets the in-flight window for the attached connection (MQTT 5.0 Receive Maximum). */
    public void setInflightCapacity(int capacity) {
        inflight.setCapacity(Math.min(capacity, settings.effectiveMaxInflight()));
        if (storage != null) {
            storage.outbox().setCapacity(inflight.capacity());
        }
    }

    /**
     * Stores a change of this session's subscriptions if the session is kept in the store; SUBACK and
     * UNSUBACK wait for the future, so that a granted subscription survives a crash.
     */
    public CompletableFuture<Void> storeSubscriptions(List<Subscription> added, List<String> removed) {
        return storage == null ? CompletableFuture.completedFuture(null) : storage.subscriptions(added, removed);
    }

    /** A snapshot of this session, taken on its owner loop after what is already in the mailbox. */
    public CompletableFuture<SessionInfo> info() {
        CompletableFuture<SessionInfo> result = new CompletableFuture<>();
        execute(() -> result.complete(new SessionInfo(clientId, connection != null, expiryInterval > 0,
                queue.size() + (storage == null ? 0 : (int) storage.outbox().queued()),
                inflight.size() + (storage == null ? 0 : storage.outbox().inflightCount()),
                subscriptions.sortedFilters(), expiryInterval, will.pending() != null)));
        return result;
    }

    /** Messages queued behind the in-flight window. */
    public int queuedMessages() {
        return queue.size();
    }

    /** Messages in flight. */
    public int inflightMessages() {
        return inflight.size();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
