package dev.tern.broker.routing;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBuf;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An application message as the broker routes it: topic, QoS, retain flag, properties and one
 * reference-counted payload shared by every recipient. Immutable apart from the payload's reference
 * count: whoever holds a Message owns one reference, taken with {@link #retain()} and given back with
 * {@link #release()}.
 */
public final class Message {
    private final String topic;
    private final ByteBuf payload;
    private final QoS qos;
    private final boolean retain;
    private final MqttProperties properties;
    private final @Nullable String publisherId;
    private final long receivedAtNanos;
    /** When the MQTT 5.0 Message Expiry Interval ends, or {@link Long#MAX_VALUE} for never. */
    private final long expiresAtNanos;

    /**
     * @param topic       topic name
     * @param payload     payload; this message takes over the caller's reference
     * @param qos         QoS the message was published with
     * @param retain      RETAIN flag as published
     * @param properties  MQTT 5.0 properties to forward
     * @param publisherId client id of the publisher, or null for messages the broker makes ($SYS)
     */
    public Message(String topic, ByteBuf payload, QoS qos, boolean retain, MqttProperties properties,
                   @Nullable String publisherId) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.qos = Objects.requireNonNull(qos, "qos");
        this.retain = retain;
        this.properties = Objects.requireNonNull(properties, "properties");
        this.publisherId = publisherId;
        this.receivedAtNanos = System.nanoTime();
        Long expiry = properties.messageExpiryInterval();
        this.expiresAtNanos = expiry == null ? Long.MAX_VALUE : receivedAtNanos + expiry * 1_000_000_000L;
    }

    public String topic() {
        return topic;
    }

    /** The shared payload; do not modify its indexes, use {@link ByteBuf#duplicate()} to read it. */
    public ByteBuf payload() {
        return payload;
    }

    public int payloadSize() {
        return payload.readableBytes();
    }

    public QoS qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    public MqttProperties properties() {
        return properties;
    }

    public @Nullable String publisherId() {
        return publisherId;
    }

    /** {@link System#nanoTime()} when the broker received the message. */
    public long receivedAtNanos() {
        return receivedAtNanos;
    }

    /** True if the message has an expiry interval (MQTT 5.0) and it has passed at {@code nowNanos}. */
    public boolean isExpired(long nowNanos) {
        return expiresAtNanos != Long.MAX_VALUE && nowNanos - expiresAtNanos >= 0;
    }

    /** True if the message carries a Message Expiry Interval. */
    public boolean expires() {
        return expiresAtNanos != Long.MAX_VALUE;
    }

    /**
     * The Message Expiry Interval to forward at {@code nowNanos}: the published interval less the whole
     * seconds the message has waited in the broker (MQTT-3.3.2-6), never below 0.
     */
    public long remainingExpirySeconds(long nowNanos) {
        Long expiry = properties.messageExpiryInterval();
        if (expiry == null) {
            throw new IllegalStateException("message has no expiry interval");
        }
        long waited = Math.max(0, nowNanos - receivedAtNanos) / 1_000_000_000L;
        return Math.max(0, expiry - waited);
    }

    /** Takes one more reference for a new holder. */
    public Message retainRef() {
        payload.retain();
        return this;
    }

    /** Gives back one reference. */
    public void release() {
        payload.release();
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", " + payloadSize()
                + " bytes]";
    }
}
