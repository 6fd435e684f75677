package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.Objects;

/**
 * One subscriber's subscription to one topic filter, with its options.
 *
 * @param subscriber             who receives
 * @param filter                 the topic filter
 * @param qos                    the maximum QoS granted
 * @param noLocal                MQTT 5.0 No Local
 * @param retainAsPublished      MQTT 5.0 Retain As Published
 * @param retainHandling         MQTT 5.0 Retain Handling
 * @param subscriptionIdentifier MQTT 5.0 subscription identifier, or 0 for none
 */
public record Subscription(Subscriber subscriber, String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                           int retainHandling, int subscriptionIdentifier) {
    public Subscription {
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(qos, "qos");
    }

    /** True if the filter is a shared subscription's, {@code $share/group/filter}. */
    public boolean sharedFilter() {
        return SharedFilter.isShared(filter);
    }

    /** A subscription with MQTT 3.1.1 semantics: no options. */
    public static Subscription of(Subscriber subscriber, String filter, QoS qos) {
        return new Subscription(subscriber, filter, qos, false, false, 0, 0);
    }
}
