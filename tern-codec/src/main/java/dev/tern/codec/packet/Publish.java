package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * PUBLISH. The payload is a reference-counted buffer: whoever holds a Publish owns one reference and
 * releases it ({@link #release()}). Encoding never consumes the payload, so one buffer can be written
 * to many recipients without copying.
 *
 * @param topic      topic name; empty only with a topic alias (5.0)
 * @param qos        QoS
 * @param retain     RETAIN flag
 * @param dup        DUP flag
 * @param packetId   packet identifier, 0 for QoS 0
 * @param properties MQTT 5.0 properties; empty for 3.x
 * @param payload    application message
 */
public record Publish(String topic, QoS qos, boolean retain, boolean dup, int packetId, MqttProperties properties,
                      ByteBuf payload) implements MqttPacket {
    public Publish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(payload, "payload");
        if (qos == QoS.AT_MOST_ONCE) {
            if (packetId != 0) {
                throw new IllegalArgumentException("QoS 0 PUBLISH has no packet identifier");
            }
        } else {
            Checks.checkPacketId(packetId);
        }
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    /** The same publish with other wire state (packet id and DUP), sharing this payload without retaining it. */
    public Publish withWireState(int newPacketId, boolean newDup) {
        return new Publish(topic, qos, retain, newDup, newPacketId, properties, payload);
    }

    /** Releases this publish's payload reference; equivalent to {@code payload().release()}. */
    public boolean release() {
        return payload.release();
    }

    /** Compares payload contents, not buffer identity. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Publish p && topic.equals(p.topic) && qos == p.qos && retain == p.retain
                && dup == p.dup && packetId == p.packetId && properties.equals(p.properties)
                && payload.equals(p.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, retain, dup, packetId, properties, payload);
    }

    @Override
    public String toString() {
        return "Publish[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", dup=" + dup
                + ", packetId=" + packetId + ", properties=" + properties + ", payload="
                + (payload.refCnt() > 0 ? payload.readableBytes() + " bytes" : "released") + "]";
    }
}
