package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.session.Session;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import org.jspecify.annotations.Nullable;

/**
 * The receiving side of QoS 0, 1 and 2 for one connection (MQTT 3.1.1 section 4.3). QoS 2 uses the
 * specification's method B: the message is routed when first received, and its packet id is
 * remembered in the session until PUBREL so that a re-sent PUBLISH is acknowledged again but not
 * routed twice (MQTT-4.3.3-2). Event loop only.
 */
final class InboundPublishHandler {
    private final MqttConnection connection;
    private final BrokerConfig config;
    private final Router router;
    private final BrokerMetrics metrics;
    private boolean dropLogged;

    InboundPublishHandler(MqttConnection connection, BrokerContext context) {
        this.connection = connection;
        this.config = context.config();
        this.router = context.router();
        this.metrics = context.metrics();
    }

    /** Handles a PUBLISH; takes over its payload reference. */
    void onPublish(Publish p, Session session) {
        metrics.recordPublishReceived(p.payload().readableBytes());
        if (p.retain() && !config.retainAvailable()) {
            p.release();
            connection.protocolError("sent a retained message but retain_available is false",
                    ReasonCodes.RETAIN_NOT_SUPPORTED);
            return;
        }
        String refusal = refusal(p);
        int reasonCode = ReasonCodes.SUCCESS;
        if (refusal != null) {
            p.release();
            metrics.recordPublishDropped();
            reasonCode = refusal.startsWith("$SYS") ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.PACKET_TOO_LARGE;
            if (!dropLogged) {
                dropLogged = true;
                ConnectionLog.LOG.warn("Denied PUBLISH from {} to '{}': {}.", connection.clientId(), p.topic(),
                        refusal);
            }
        }
        PacketWriter writer = connection.writer();
        switch (p.qos()) {
            case AT_MOST_ONCE -> {
                if (refusal == null) {
                    route(p);
                }
            }
            case AT_LEAST_ONCE -> {
                if (refusal == null) {
                    route(p);
                }
                writer.write(new PubAck(p.packetId(), reasonCode, MqttProperties.EMPTY));
            }
            case EXACTLY_ONCE -> {
                boolean first = session.beginInboundQos2(p.packetId());
                if (refusal == null) {
                    if (first) {
                        route(p);
                    } else {
                        p.release(); // re-sent before PUBREL: already routed once
                    }
                } else if (first) {
                    session.endInboundQos2(p.packetId()); // an error PUBREC ends the flow (MQTT 5.0)
                }
                writer.write(new PubRec(p.packetId(), reasonCode, MqttProperties.EMPTY));
            }
        }
    }

    /** PUBREL: the QoS 2 flow's packet id may be reused; answer PUBCOMP (MQTT-4.3.3-11). */
    void onPubRel(PubRel rel, Session session) {
        boolean known = session.endInboundQos2(rel.packetId());
        int code = known || !connection.writer().version().isV5() ? ReasonCodes.SUCCESS
                : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND;
        connection.writer().write(new PubComp(rel.packetId(), code, MqttProperties.EMPTY));
    }

    private @Nullable String refusal(Publish p) {
        if (SysTopics.isSysTopic(p.topic())) {
            return "$SYS topics are read-only for clients";
        }
        long limit = config.messageSizeLimit();
        if (limit > 0 && p.payload().readableBytes() > limit) {
            return "payload of " + p.payload().readableBytes() + " bytes exceeds message_size_limit " + limit;
        }
        return null;
    }

    private void route(Publish p) {
        Message message = new Message(p.topic(), p.payload(), p.qos(), p.retain(), forwarded(p.properties()),
                connection.clientId());
        try {
            router.publish(message);
        } finally {
            message.release();
        }
    }

    /** The MQTT 5.0 properties that travel with the message (not the topic alias, MQTT-3.3.2-7). */
    private static MqttProperties forwarded(MqttProperties p) {
        if (p.isEmpty() || (p.topicAlias() == null && p.subscriptionIdentifiers().isEmpty())) {
            return p;
        }
        return p.toBuilder().topicAlias(null).clearSubscriptionIdentifiers().build();
    }
}
