package dev.tern.broker.connection;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.packet.Publish;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns deliveries into the PUBLISH packets one connection sends: the properties a 5.0 subscriber
 * gets, the broker's Topic Aliases, and the check against the client's Maximum Packet Size. Event
 * loop only.
 */
final class OutboundPublisher {
    private final PacketWriter writer;
    private @Nullable OutboundTopicAliases aliases;

    OutboundPublisher(PacketWriter writer) {
        this.writer = writer;
    }

    /** Starts assigning up to this many Topic Aliases (0: none). */
    void topicAliasMaximum(int maximum) {
        aliases = maximum > 0 ? new OutboundTopicAliases(maximum) : null;
    }

    /** Whether the PUBLISH for a delivery fits the client's Maximum Packet Size (MQTT-3.1.2-24). */
    boolean fits(Delivery delivery) {
        long max = writer.maximumPacketSize();
        if (max >= MqttPacketDecoder.MAX_PACKET_SIZE) {
            return true;
        }
        Message m = delivery.message();
        // Sized without a Topic Alias: an alias only ever makes the packet smaller.
        Publish p = new Publish(m.topic(), delivery.qos(), delivery.retain(), false,
                delivery.qos().value() == 0 ? 0 : 1, properties(delivery, System.nanoTime()), m.payload());
        return MqttPacketEncoder.publishSize(p, writer.version()) <= max;
    }

    /** Writes (without flushing) the PUBLISH for a delivery; the payload is shared, not copied. */
    void write(Delivery delivery, int packetId, boolean dup) {
        Message m = delivery.message();
        String topic = m.topic();
        MqttProperties properties = MqttProperties.EMPTY;
        if (writer.version().isV5()) {
            properties = properties(delivery, m.expires() ? System.nanoTime() : 0);
            OutboundTopicAliases a = aliases;
            OutboundTopicAliases.Use alias = a == null ? null : a.aliasFor(topic);
            if (alias != null) {
                properties = properties.toBuilder().topicAlias(alias.alias()).build();
                if (!alias.withTopic()) {
                    topic = "";
                }
            }
        }
        writer.writePublish(new Publish(topic, delivery.qos(), delivery.retain(), dup, packetId, properties,
                m.payload()));
    }

    /**
     * The properties a 5.0 subscriber gets: the publisher's (MQTT-3.3.2-4, -15, -16, -17, -18, -20),
     * the identifiers of the matching subscriptions (MQTT-3.3.4-3) and the Message Expiry Interval less
     * the time the message waited (MQTT-3.3.2-6).
     */
    private static MqttProperties properties(Delivery delivery, long nowNanos) {
        Message m = delivery.message();
        MqttProperties properties = m.properties();
        List<Integer> ids = delivery.subscriptionIdentifiers();
        if (ids.isEmpty() && !m.expires()) {
            return properties;
        }
        MqttProperties.Builder b = properties.toBuilder();
        ids.forEach(b::addSubscriptionIdentifier);
        if (m.expires()) {
            b.messageExpiryInterval(m.remainingExpirySeconds(nowNanos));
        }
        return b.build();
    }
}
