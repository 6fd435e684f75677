package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import java.util.Arrays;
import java.util.Objects;

/**
 * The will message a client registers in CONNECT.
 *
 * @param topic      will topic
 * @param payload    will payload (not copied; treat as immutable)
 * @param qos        will QoS
 * @param retain     will retain flag
 * @param properties MQTT 5.0 will properties; empty for 3.x
 */
public record Will(String topic, byte[] payload, QoS qos, boolean retain, MqttProperties properties) {
    public Will {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Will w && topic.equals(w.topic) && Arrays.equals(payload, w.payload)
                && qos == w.qos && retain == w.retain && properties.equals(w.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties);
    }

    @Override
    public String toString() {
        return "Will[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos.value()
                + ", retain=" + retain + ", properties=" + properties + "]";
    }
}
