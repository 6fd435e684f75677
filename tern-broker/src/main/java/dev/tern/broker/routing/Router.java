package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Routes a published message: updates the retained store and hands one {@link Delivery} to each
 * matching subscriber. Overlapping subscriptions of one subscriber give one delivery at the highest
 * granted QoS, carrying every matching subscription identifier (MQTT-3.3.5-1, MQTT 5.0 3.3.4).
 *
 * <p>Thread-safe and lock-free on the publish path; called from every event loop.
 */
public final class Router {
    private final SubscriptionTrie subscriptions;
    private final SharedSubscriptions shared;
    private final RetainedStore retained;
    private final boolean upgradeOutgoingQos;
    private final ThreadLocal<MatchCollector> collectors = ThreadLocal.withInitial(MatchCollector::new);
    private volatile @Nullable Consumer<Message> retainedListener;

    /**
     * @param subscriptions      the subscription index
     * @param retained           the retained store
     * @param upgradeOutgoingQos deliver at the subscription's QoS even if the message's is lower
     *                           (Mosquitto's {@code upgrade_outgoing_qos}; not MQTT compliant)
     */
    public Router(SubscriptionTrie subscriptions, RetainedStore retained, boolean upgradeOutgoingQos) {
        this(subscriptions, retained, upgradeOutgoingQos, SharedSubscriptionStrategy.ROUND_ROBIN);
    }

    /**
     * @param sharedStrategy how shared subscription groups choose a member
     */
    public Router(SubscriptionTrie subscriptions, RetainedStore retained, boolean upgradeOutgoingQos,
                  SharedSubscriptionStrategy sharedStrategy) {
        this.subscriptions = subscriptions;
        this.retained = retained;
        this.upgradeOutgoingQos = upgradeOutgoingQos;
        this.shared = new SharedSubscriptions(subscriptions, sharedStrategy);
    }

    public SubscriptionTrie subscriptions() {
        return subscriptions;
    }

    /** The shared subscription groups. */
    public SharedSubscriptions shared() {
        return shared;
    }

    /**
     * Adds or replaces a subscription; a {@code $share/...} filter joins its group.
     *
     * @return the replaced subscription, or null
     */
    public @Nullable Subscription subscribe(Subscription subscription) {
        return SharedFilter.isShared(subscription.filter()) ? shared.add(subscription)
                : subscriptions.add(subscription);
    }

    /** Removes a subscriber's subscription to a filter (shared or not); returns it, or null. */
    public @Nullable Subscription unsubscribe(Subscriber subscriber, String filter) {
        return SharedFilter.isShared(filter) ? shared.remove(subscriber, filter) : subscriptions.remove(subscriber, filter);
    }

    /**
     * Hands a shared delivery that its member could not finish (it lost its connection) to another
     * connected member of the same group, at that member's QoS. The caller keeps its reference.
     *
     * @return true if another member took it
     */
    public boolean redeliverShared(Delivery delivery, Subscriber from) {
        String filter = delivery.sharedFilter();
        SharedGroup group = filter == null ? null : shared.group(filter);
        if (group == null) {
            return false;
        }
        Subscription member = group.choose(from, true);
        if (member == null || !member.subscriber().mayReceive(delivery.message().topic())) {
            return false;
        }
        Message message = delivery.message();
        member.subscriber().deliver(sharedDelivery(group, member, message));
        return true;
    }

    private Delivery sharedDelivery(SharedGroup group, Subscription member, Message message) {
        QoS qos = SharedGroup.qosFor(member, message.qos(), upgradeOutgoingQos);
        boolean retainFlag = member.retainAsPublished() && message.retain();
        List<Integer> ids = member.subscriptionIdentifier() == 0 ? List.of() : List.of(member.subscriptionIdentifier());
        return new Delivery(message.retainRef(), qos, retainFlag, ids, group.fullFilter());
    }

    public RetainedStore retained() {
        return retained;
    }

    /**
     * Where {@link #publish(Message, DeliverySink, boolean)} hands its deliveries: the subscribers
     * themselves, or a caller that must first store some of them (durable persistence).
     */
    @FunctionalInterface
    public interface DeliverySink {
        /** One delivery for one subscriber; the sink takes over the delivery's reference. */
        void deliver(Subscriber subscriber, Delivery delivery);
    }

    /** Gets every change of a retained message made by {@link #publish(Message)} (the durable store does). */
    public void retainedListener(@Nullable Consumer<Message> listener) {
        this.retainedListener = listener;
    }

    /**
     * Publishes a message. The caller keeps its own reference; each delivery takes another.
     *
     * @return the number of subscribers the message was handed to
     */
    public int publish(Message message) {
        if (message.retain()) {
            Consumer<Message> l = retainedListener;
            if (l != null) {
                l.accept(message);
            }
        }
        return publish(message, Subscriber::deliver, true);
    }

    /**
     * Publishes a message through a sink.
     *
     * @param updateRetained update the retained store now (false: the caller does it later, e.g. once the
     *                       message is stored)
     * @return the number of deliveries handed to the sink, counting those an offline subscriber
     *         would only have dropped ({@link Subscriber#discardsQos0}), which are not created
     */
    public int publish(Message message, DeliverySink sink, boolean updateRetained) {
        if (updateRetained && message.retain()) {
            retained.update(message);
        }
        MatchCollector collector = collectors.get();
        collector.begin(message.publisherId());
        try {
            subscriptions.match(message.topic(), collector);
            collector.merge();
            int n = collector.size();
            int delivered = 0;
            for (int i = 0; i < n; i++) {
                MatchCollector.Match m = collector.get(i);
                if (m.subscriber instanceof SharedGroup group) {
                    Subscription member = group.choose(null, false);
                    if (member != null && member.subscriber().mayReceive(message.topic())) {
                        sink.deliver(member.subscriber(), sharedDelivery(group, member, message));
                    }
                    continue;
                }
                QoS qos = upgradeOutgoingQos ? m.maxQos : QoS.min(message.qos(), m.maxQos);
                if (qos == QoS.AT_MOST_ONCE && m.subscriber.discardsQos0()) {
                    delivered++; // routed to it (no 0x10 for the publisher), but it would only drop it
                    continue;
                }
                if (!m.subscriber.mayReceive(message.topic())) {
                    continue; // the subscriber's ACL does not let it read this topic
                }
                boolean retainFlag = m.retainAsPublished && message.retain();
                List<Integer> ids = m.subscriptionIds.isEmpty() ? List.of() : List.copyOf(m.subscriptionIds);
                sink.deliver(m.subscriber, new Delivery(message.retainRef(), qos, retainFlag, ids));
                delivered++;
            }
            return delivered;
        } finally {
            collector.end();
        }
    }
}
