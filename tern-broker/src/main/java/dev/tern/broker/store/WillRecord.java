package dev.tern.broker.store;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import java.util.Arrays;
import java.util.Objects;

/**
 * A will message kept for a persistent session: while its client is connected (so that a broker
 * crash still leads to the will), and after a disconnect while its Will Delay Interval runs.
 *
 * @param topic          will topic
 * @param payload        will payload
 * @param qos            will QoS
 * @param retain         will retain flag
 * @param properties     MQTT 5.0 will properties, including the Will Delay Interval
 * @param publishAtMillis wall-clock time the will is due, or 0 while its client is connected (then it
 *                       is due its delay after the broker restarts)
 */
public record WillRecord(String topic, byte[] payload, QoS qos, boolean retain,
                         MqttProperties properties, long publishAtMillis) {
    public WillRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(properties, "properties");
    }

    /** The Will Delay Interval in seconds (0 when absent). */
    public long delaySeconds() {
        Long d = properties.willDelayInterval();
        return d == null ? 0 : d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WillRecord w && topic.equals(w.topic) && Arrays.equals(payload, w.payload)
                && qos == w.qos && retain == w.retain && properties.equals(w.properties)
                && publishAtMillis == w.publishAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties, publishAtMillis);
    }

    @Override
    public String toString() {
        return "WillRecord[topic=" + topic + ", " + payload.length + " bytes, qos=" + qos.value() + ", retain="
                + retain + ", publishAt=" + publishAtMillis + "]";
    }
}
