package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The members of one shared subscription ({@code $share/group/filter}): every matching message goes
 * to one of them, chosen by the configured strategy. In the subscription trie the group stands in for
 * its members as one subscriber at QoS 2; the router then hands the message to the chosen member at
 * that member's granted QoS (MQTT-4.8.2-3).
 *
 * <p>Thread-safe: members change under the {@link SharedSubscriptions} lock (copy on write); choosing
 * is lock-free and runs on any event loop.
 */
public final class SharedGroup implements Subscriber {
    private static final Subscription[] NONE = new Subscription[0];

    private final SharedFilter filter;
    private final String fullFilter;
    private final SharedSubscriptionStrategy strategy;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Subscription[] members = NONE;
    private volatile @Nullable Subscription sticky;

    SharedGroup(SharedFilter filter, SharedSubscriptionStrategy strategy) {
        this.filter = filter;
        this.fullFilter = filter.full();
        this.strategy = strategy;
    }

    /** The group's filter, {@code $share/group/filter}. */
    public String fullFilter() {
        return fullFilter;
    }

    /** The topic filter without the share prefix. */
    public String topicFilter() {
        return filter.filter();
    }

    /** Groups are not clients; their name appears in logs only. */
    @Override
    public String clientId() {
        return fullFilter;
    }

    /** A group is never handed deliveries directly: the router asks it to {@link #choose} a member. */
    @Override
    public void deliver(Delivery delivery) {
        delivery.release();
        throw new IllegalStateException("shared subscription groups route through choose()");
    }

    /** Number of members. */
    public int size() {
        return members.length;
    }

    // Under the SharedSubscriptions lock.
    @Nullable Subscription put(Subscription member) {
        Subscription[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i].subscriber() == member.subscriber()) {
                Subscription[] copy = current.clone();
                Subscription previous = copy[i];
                copy[i] = member;
                members = copy;
                return previous;
            }
        }
        Subscription[] copy = java.util.Arrays.copyOf(current, current.length + 1);
        copy[current.length] = member;
        members = copy;
        return null;
    }

    // Under the SharedSubscriptions lock.
    @Nullable Subscription remove(Subscriber subscriber) {
        Subscription[] current = members;
        List<Subscription> kept = new ArrayList<>(current.length);
        Subscription removed = null;
        for (Subscription s : current) {
            if (s.subscriber() == subscriber) {
                removed = s;
            } else {
                kept.add(s);
            }
        }
        if (removed != null) {
            members = kept.toArray(NONE);
            Subscription st = sticky;
            if (st != null && st.subscriber() == subscriber) {
                sticky = null;
            }
        }
        return removed;
    }

    /**
     * Chooses the member for the next message: a connected one if there is any, else any member (its
     * session queues the message until it returns).
     *
     * @param exclude a subscriber that must not be chosen (one that just lost its connection), or null
     * @param connectedOnly choose only a connected member (for re-delivery), or none
     * @return the member's subscription, or null if there is none to choose
     */
    public @Nullable Subscription choose(@Nullable Subscriber exclude, boolean connectedOnly) {
        Subscription[] m = members;
        int n = m.length;
        if (n == 0) {
            return null;
        }
        if (strategy == SharedSubscriptionStrategy.STICKY) {
            Subscription st = sticky;
            if (st != null && st.subscriber() != exclude && st.subscriber().isConnected()) {
                return st;
            }
        }
        int start = switch (strategy) {
            case RANDOM -> ThreadLocalRandom.current().nextInt(n);
            case ROUND_ROBIN, STICKY -> Math.floorMod(next.getAndIncrement(), n);
        };
        Subscription fallback = null;
        for (int i = 0; i < n; i++) {
            Subscription s = m[(start + i) % n];
            if (s.subscriber() == exclude) {
                continue;
            }
            if (s.subscriber().isConnected()) {
                if (strategy == SharedSubscriptionStrategy.STICKY) {
                    sticky = s;
                }
                return s;
            }
            if (fallback == null) {
                fallback = s;
            }
        }
        return connectedOnly ? null : fallback;
    }

    /** The QoS a member receives a message of QoS {@code published} with. */
    static QoS qosFor(Subscription member, QoS published, boolean upgrade) {
        return upgrade ? member.qos() : QoS.min(published, member.qos());
    }
}
