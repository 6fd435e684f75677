package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One subscriber's subscription to one topic filter, with its options. A value with a record's
 * accessors, {@code equals} and {@code hashCode}; a class rather than a record only so that Retain
 * Handling is kept in a byte: a broker holds one per subscription (a million in a large one), and
 * the byte makes it 32 bytes instead of 40 with compressed references.
 */
public final class Subscription {
    private final Subscriber subscriber;
    private final String filter;
    private final QoS qos;
    private final int subscriptionIdentifier;
    private final boolean noLocal;
    private final boolean retainAsPublished;
    private final byte retainHandling;

    /**
     * @param subscriber             who receives
     * @param filter                 the topic filter
     * @param qos                    the maximum QoS granted
     * @param noLocal                MQTT 5.0 No Local
     * @param retainAsPublished      MQTT 5.0 Retain As Published
     * @param retainHandling         MQTT 5.0 Retain Handling, 0 to 2 (3 is kept for a caller that checks it later)
     * @param subscriptionIdentifier MQTT 5.0 subscription identifier, or 0 for none
     */
    public Subscription(Subscriber subscriber, String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                        int retainHandling, int subscriptionIdentifier) {
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.qos = Objects.requireNonNull(qos, "qos");
        if (retainHandling < 0 || retainHandling > 3) {
            throw new IllegalArgumentException("retain handling " + retainHandling + " is not 0 to 3");
        }
        this.noLocal = noLocal;
        this.retainAsPublished = retainAsPublished;
        this.retainHandling = (byte) retainHandling;
        this.subscriptionIdentifier = subscriptionIdentifier;
    }

    /** A subscription with MQTT 3.1.1 semantics: no options. */
    public static Subscription of(Subscriber subscriber, String filter, QoS qos) {
        return new Subscription(subscriber, filter, qos, false, false, 0, 0);
    }

    /** Who receives. */
    public Subscriber subscriber() {
        return subscriber;
    }

    /** The topic filter. */
    public String filter() {
        return filter;
    }

    /** The maximum QoS granted. */
    public QoS qos() {
        return qos;
    }

    /** MQTT 5.0 No Local. */
    public boolean noLocal() {
        return noLocal;
    }

    /** MQTT 5.0 Retain As Published. */
    public boolean retainAsPublished() {
        return retainAsPublished;
    }

    /** MQTT 5.0 Retain Handling. */
    public int retainHandling() {
        return retainHandling;
    }

    /** MQTT 5.0 subscription identifier, or 0 for none. */
    public int subscriptionIdentifier() {
        return subscriptionIdentifier;
    }

    /** True if the filter is a shared subscription's, {@code $share/group/filter}. */
    public boolean sharedFilter() {
        return SharedFilter.isShared(filter);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Subscription s && subscriber.equals(s.subscriber) && filter.equals(s.filter)
                && qos == s.qos && noLocal == s.noLocal && retainAsPublished == s.retainAsPublished
                && retainHandling == s.retainHandling && subscriptionIdentifier == s.subscriptionIdentifier;
    }

    @Override
    public int hashCode() {
        return Objects.hash(subscriber, filter, qos, noLocal, retainAsPublished, (int) retainHandling,
                subscriptionIdentifier);
    }

    @Override
    public String toString() {
        return "Subscription[subscriber=" + subscriber + ", filter=" + filter + ", qos=" + qos + ", noLocal=" + noLocal
                + ", retainAsPublished=" + retainAsPublished + ", retainHandling=" + retainHandling
                + ", subscriptionIdentifier=" + subscriptionIdentifier + "]";
    }
}
