package dev.tern.broker.store;

import dev.tern.codec.QoS;
import java.util.Objects;

/**
 * One subscription of a persistent session, with its MQTT 5.0 options.
 *
 * @param filter                 the topic filter as subscribed, including a {@code $share/GROUP/} prefix
 * @param qos                    the maximum QoS granted
 * @param noLocal                No Local
 * @param retainAsPublished      Retain As Published
 * @param retainHandling         Retain Handling (0, 1 or 2)
 * @param subscriptionIdentifier the Subscription Identifier, or 0 for none
 */
public record SubscriptionRecord(String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionIdentifier) {
    public SubscriptionRecord {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(qos, "qos");
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling must be 0, 1 or 2: " + retainHandling);
        }
        if (subscriptionIdentifier < 0 || subscriptionIdentifier > 268_435_455) {
            throw new IllegalArgumentException("subscription identifier out of range: " + subscriptionIdentifier);
        }
    }

    /** A subscription with MQTT 3.1.1 semantics. */
    public static SubscriptionRecord of(String filter, QoS qos) {
        return new SubscriptionRecord(filter, qos, false, false, 0, 0);
    }
}
