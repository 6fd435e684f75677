package dev.tern.codec.packet;

import dev.tern.codec.QoS;
import java.util.Objects;

/**
 * One topic filter of a SUBSCRIBE with its options. For MQTT 3.x only the filter and QoS are used.
 *
 * @param filter            topic filter, as received (validated by the broker, not the codec)
 * @param qos               maximum QoS requested
 * @param noLocal           5.0 No Local option
 * @param retainAsPublished 5.0 Retain As Published option
 * @param retainHandling    5.0 Retain Handling option: 0, 1 or 2
 */
public record TopicSubscription(String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                                int retainHandling) {
    public TopicSubscription {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(qos, "qos");
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retain handling must be 0, 1 or 2: " + retainHandling);
        }
    }

    /** A subscription with default options, as MQTT 3.x expresses it. */
    public TopicSubscription(String filter, QoS qos) {
        this(filter, qos, false, false, 0);
    }
}
