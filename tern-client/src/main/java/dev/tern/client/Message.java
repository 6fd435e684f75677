package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import dev.tern.codec.UserProperty;
import dev.tern.codec.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An application message: what a client publishes and what a subscriber receives. Immutable (the
 * payload is copied in and out).
 *
 * <p>The MQTT 5.0 publish properties (payload format, message expiry, content type, response topic,
 * correlation data, user properties, and on received messages the subscription identifiers) are in
 * {@link #properties()}; the builder has a method for each. They are not sent to MQTT 3.x servers.
 *
 * <p>A received message in {@linkplain TernClientBuilder#manualAcknowledgement(boolean) manual
 * acknowledgement mode} is acknowledged to the server (PUBACK or PUBREC) only when
 * {@link #acknowledge()} is called.
 */
public final class Message {
    private final String topic;
    private final byte[] payload;
    private final QoS qos;
    private final boolean retain;
    private final boolean dup;
    private final MqttProperties properties;
    private final int packetId;
    private final @Nullable Acknowledgement ack;

    /** What acknowledges a received message; implemented by the client. */
    interface Acknowledgement {
        boolean acknowledge();
    }

    Message(String topic, byte[] payload, QoS qos, boolean retain, boolean dup, MqttProperties properties,
            @Nullable Acknowledgement ack) {
        this(topic, payload, qos, retain, dup, properties, 0, ack);
    }

    Message(String topic, byte[] payload, QoS qos, boolean retain, boolean dup, MqttProperties properties,
            int packetId, @Nullable Acknowledgement ack) {
        this.topic = topic;
        this.payload = payload;
        this.qos = qos;
        this.retain = retain;
        this.dup = dup;
        this.properties = properties;
        this.packetId = packetId;
        this.ack = ack;
    }

    /** A builder for a message to {@code topic}: QoS 0, not retained, empty payload. */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /** A message with a UTF-8 payload. */
    public static Message of(String topic, String payload, int qos, boolean retain) {
        return builder(topic).payload(payload).qos(qos).retain(retain).build();
    }

    /** The topic name. */
    public String topic() {
        return topic;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's length in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The QoS (of a received message: as delivered, at most the subscription's). */
    public QoS qos() {
        return qos;
    }

    /** The RETAIN flag. */
    public boolean retain() {
        return retain;
    }

    /** The DUP flag of a received message (it may have been delivered before); false when publishing. */
    public boolean dup() {
        return dup;
    }

    /** The packet identifier a received QoS 1/2 message arrived with (mosquitto_sub's {@code %m}); else 0. */
    public int packetId() {
        return packetId;
    }

    /** The MQTT 5.0 publish properties; empty for MQTT 3.x. */
    public MqttProperties properties() {
        return properties;
    }

    /** MQTT 5.0 Content Type, or null. */
    public @Nullable String contentType() {
        return properties.contentType();
    }

    /** MQTT 5.0 Response Topic, or null. */
    public @Nullable String responseTopic() {
        return properties.responseTopic();
    }

    /** MQTT 5.0 Correlation Data, or null. */
    public byte @Nullable [] correlationData() {
        return properties.correlationData();
    }

    /** MQTT 5.0 User Properties, in order. */
    public List<UserProperty> userProperties() {
        return properties.userProperties();
    }

    /**
     * Acknowledges a received QoS 1 or 2 message to the server. Only needed in manual
     * acknowledgement mode; acknowledgements are sent in the order the messages arrived
     * [MQTT-4.6.0-2], so an early acknowledgement waits for the ones before it.
     *
     * @return true the first time it is called on a message that needed an acknowledgement
     */
    public boolean acknowledge() {
        return ack != null && ack.acknowledge();
    }

    Message withAcknowledgement(Acknowledgement acknowledgement) {
        return new Message(topic, payload, qos, retain, dup, properties, packetId, acknowledgement);
    }

    /** The payload without copying, for the client's own use. */
    byte[] payloadUnsafe() {
        return payload;
    }

    /** A builder that starts from this message (topic, payload, QoS, RETAIN and properties). */
    public Builder toBuilder() {
        Builder b = new Builder(topic);
        b.payload = payload;
        b.qos = qos;
        b.retain = retain;
        b.properties = properties.toBuilder();
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && topic.equals(m.topic) && Arrays.equals(payload, m.payload) && qos == m.qos
                && retain == m.retain && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", payload="
                + payload.length + " bytes" + (properties.isEmpty() ? "" : ", properties=" + properties) + "]";
    }

    /** Builds a {@link Message}. */
    public static final class Builder {
        private final String topic;
        private byte[] payload = new byte[0];
        private QoS qos = QoS.AT_MOST_ONCE;
        private boolean retain;
        private MqttProperties.Builder properties = MqttProperties.builder();

        private Builder(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        /** The payload (copied). */
        public Builder payload(byte[] value) {
            payload = value.clone();
            return this;
        }

        /** A UTF-8 payload. */
        public Builder payload(String value) {
            payload = value.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Builder qos(QoS value) {
            qos = Objects.requireNonNull(value);
            return this;
        }

        /** QoS 0, 1 or 2. */
        public Builder qos(int value) {
            return qos(QoS.of(value));
        }

        public Builder retain(boolean value) {
            retain = value;
            return this;
        }

        /** 5.0 Payload Format Indicator: true for UTF-8 text. */
        public Builder utf8Payload(boolean value) {
            properties.payloadFormatIndicator(value ? 1 : null);
            return this;
        }

        /** 5.0 Message Expiry Interval in seconds. */
        public Builder messageExpiryInterval(long seconds) {
            if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("message expiry interval must be 0..4294967295: " + seconds);
            }
            properties.messageExpiryInterval(seconds);
            return this;
        }

        /** 5.0 Content Type. */
        public Builder contentType(@Nullable String value) {
            properties.contentType(value);
            return this;
        }

        /** 5.0 Response Topic (a topic name, no wildcards [MQTT-3.3.2-14]). */
        public Builder responseTopic(@Nullable String value) {
            if (value != null && (value.isEmpty() || Topics.hasWildcard(value))) {
                throw new IllegalArgumentException("a response topic is a topic name without wildcards [MQTT-3.3.2-14]: '"
                        + value + "'");
            }
            properties.responseTopic(value);
            return this;
        }

        /** 5.0 Correlation Data (copied). */
        public Builder correlationData(byte @Nullable [] value) {
            properties.correlationData(value);
            return this;
        }

        /** Adds a 5.0 User Property; names may repeat and order is kept. */
        public Builder userProperty(String name, String value) {
            properties.addUserProperty(name, value);
            return this;
        }

        /**
         * Replaces all properties. Only publish properties are sent; the client manages the Topic
         * Alias itself.
         */
        public Builder properties(MqttProperties value) {
            properties = value.toBuilder();
            return this;
        }

        /**
         * @throws IllegalArgumentException if the topic is not a valid topic name: empty, with a wildcard
         *                                  [MQTT-3.3.2-2], or not valid UTF-8 [MQTT-1.5.3-1, MQTT-1.5.3-2]
         */
        public Message build() {
            String problem = checkTopicName(topic);
            if (problem != null) {
                throw new IllegalArgumentException("invalid topic name '" + topic + "': " + problem);
            }
            MqttProperties p = properties.topicAlias(null).build();
            String bad = checkStrings(p);
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
            return new Message(topic, payload, qos, retain, false, p, null);
        }
    }

    /**
     * Why a string property is not a valid MQTT UTF-8 string [MQTT-1.5.4-1, MQTT-1.5.4-2, MQTT-1.5.7-1,
     * MQTT-3.3.2-13, MQTT-3.3.2-19], or null.
     */
    static @Nullable String checkStrings(MqttProperties p) {
        if (p.contentType() != null && !Utf8.isValid(p.contentType())) {
            return "the content type is not a valid MQTT UTF-8 string [MQTT-3.3.2-19]";
        }
        if (p.responseTopic() != null && !Utf8.isValid(p.responseTopic())) {
            return "the response topic is not a valid MQTT UTF-8 string [MQTT-3.3.2-13]";
        }
        for (UserProperty u : p.userProperties()) {
            if (!Utf8.isValid(u.name()) || !Utf8.isValid(u.value())) {
                return "a user property is not a valid MQTT UTF-8 string pair [MQTT-1.5.7-1]";
            }
        }
        return null;
    }

    /** Why the topic name is invalid, or null. */
    static @Nullable String checkTopicName(String topic) {
        if (topic.isEmpty()) {
            return "a topic name is at least one character long [MQTT-4.7.3-1]";
        }
        if (Topics.hasWildcard(topic)) {
            return "a topic name has no wildcard characters [MQTT-3.3.2-2]";
        }
        if (!Utf8.isValid(topic)) {
            return "not a valid MQTT UTF-8 string [MQTT-1.5.3-1, MQTT-1.5.3-2]";
        }
        if (topic.getBytes(StandardCharsets.UTF_8).length > Topics.MAX_LENGTH) {
            return "longer than 65535 bytes";
        }
        return null;
    }
}
