package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * The receiving side of PUBLISH: resolves inbound topic aliases, enforces the client's Receive
 * Maximum, registers QoS 1/2 flows in {@link InboundFlows} (a re-sent QoS 2 message is acknowledged
 * again but delivered once [MQTT-4.3.3-10]), answers PUBREL with PUBCOMP, and hands messages to
 * {@link InboundDelivery}.
 */
// event loop only
final class InboundPublishes {
    /** Closes the connection because the server broke the protocol. */
    interface ProtocolErrors {
        void protocolError(Channel ch, int reasonCode, String why);
    }

    private final TernClientBuilder config;
    private final MqttVersion version;
    private final TopicAliases aliases;
    private final InboundFlows inbound;
    private final InboundDelivery delivery;
    private final InboundDelivery.Connection connection;
    private final ProtocolErrors errors;

    InboundPublishes(TernClientBuilder config, TopicAliases aliases, InboundFlows inbound, InboundDelivery delivery,
                     InboundDelivery.Connection connection, ProtocolErrors errors) {
        this.config = config;
        this.version = config.version;
        this.aliases = aliases;
        this.inbound = inbound;
        this.delivery = delivery;
        this.connection = connection;
        this.errors = errors;
    }

    /** A PUBLISH from the server; releases it. */
    void onPublish(Channel ch, Publish p) {
        String topic;
        byte[] payload;
        try {
            topic = resolveTopic(ch, p);
            if (topic == null) {
                return;
            }
            payload = new byte[p.payload().readableBytes()];
            p.payload().getBytes(p.payload().readerIndex(), payload);
        } finally {
            p.release();
        }
        QoS qos = p.qos();
        MqttProperties props = p.properties().topicAlias() == null ? p.properties()
                : p.properties().toBuilder().topicAlias(null).build();
        Message message = new Message(topic, payload, qos, p.retain(), p.dup(), props, p.packetId(), null);
        if (qos == QoS.AT_MOST_ONCE) {
            delivery.deliver(message, null);
            return;
        }
        if (version.isV5() && inbound.unacknowledged() >= config.receiveMaximum
                && !inbound.isKnownQos2(p.packetId())) {
            // The server sent more unacknowledged QoS 1/2 messages than our Receive Maximum allows.
            errors.protocolError(ch, ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED, "Receive Maximum exceeded");
            return;
        }
        InboundAck ack = inbound.received(p.packetId(), qos, connection.number());
        if (ack == null) {
            // A re-sent QoS 2 message already delivered: PUBREC again, no second delivery [MQTT-4.3.3-10].
            delivery.flushAcks(ch);
            return;
        }
        delivery.deliver(message, ack);
    }

    private @Nullable String resolveTopic(Channel ch, Publish p) {
        Integer alias = p.properties().topicAlias();
        if (alias == null) {
            return p.topic();
        }
        if (alias == 0 || alias > config.topicAliasMaximum) {
            // Outside 1..our Topic Alias Maximum [MQTT-3.3.2-8, MQTT-3.3.2-9 (5.0)].
            errors.protocolError(ch, ReasonCodes.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
            return null;
        }
        if (!p.topic().isEmpty()) {
            aliases.learn(alias, p.topic());
            return p.topic();
        }
        String known = aliases.resolve(alias);
        if (known == null) {
            errors.protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "unknown topic alias " + alias);
        }
        return known;
    }

    /** PUBREL ends a QoS 2 flow: PUBCOMP, in 5.0 with "not found" for an id the client does not know. */
    void onPubRel(Channel ch, PubRel r) {
        boolean known = inbound.released(r.packetId());
        PubComp comp = known || !version.isV5() ? new PubComp(r.packetId())
                : new PubComp(r.packetId(), ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, MqttProperties.EMPTY);
        connection.write(ch, comp);
        ch.flush();
    }
}
