package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.security.AclAccess;
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
    private final @Nullable PublishRateLimiter rateLimiter;
    private boolean dropLogged;
    private boolean memoryLogged;

    /** Why a PUBLISH is not routed, and the reason code its acknowledgement carries in MQTT 5.0. */
    private record Refusal(String why, int reasonCode) {}

    InboundPublishHandler(MqttConnection connection, BrokerContext context, int maxPublishRate) {
        this.connection = connection;
        this.config = context.config();
        this.router = context.router();
        this.metrics = context.metrics();
        this.rateLimiter = maxPublishRate > 0 ? new PublishRateLimiter(maxPublishRate, System.nanoTime()) : null;
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
        limitRate();
        if (connection.policy().memory().overLimit() && !refuseForMemory(p)) {
            return;
        }
        Refusal refusal = refusal(p);
        int reasonCode = ReasonCodes.SUCCESS;
        if (refusal != null) {
            p.release();
            metrics.recordPublishDropped();
            reasonCode = refusal.reasonCode();
            if (!dropLogged) {
                dropLogged = true;
                ConnectionLog.LOG.warn("Denied PUBLISH from {} to '{}': {} (further denials of this client are not "
                        + "logged).", connection.clientId(), p.topic(), refusal.why());
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

    private @Nullable Refusal refusal(Publish p) {
        if (SysTopics.isSysTopic(p.topic())) {
            return new Refusal("$SYS topics are read-only for clients", ReasonCodes.NOT_AUTHORIZED);
        }
        long limit = config.messageSizeLimit();
        if (limit > 0 && p.payload().readableBytes() > limit) {
            return new Refusal("payload of " + p.payload().readableBytes() + " bytes exceeds message_size_limit "
                    + limit, ReasonCodes.PACKET_TOO_LARGE);
        }
        if (!connection.authorized(AclAccess.WRITE, p.topic())) {
            // MQTT 3.1.1 has no way to say so: the message is acknowledged and dropped, as Mosquitto does.
            return new Refusal("the ACL does not allow this client to publish there", ReasonCodes.NOT_AUTHORIZED);
        }
        return null;
    }

    /** max_publish_rate: past the rate, stop reading until the next token is due. */
    private void limitRate() {
        if (rateLimiter == null) {
            return;
        }
        long pause = rateLimiter.acquire(System.nanoTime());
        if (pause > 0) {
            connection.holdForRate(pause);
        }
    }

    /**
     * memory_limit exceeded: MQTT 5.0 publishes are refused with Quota exceeded (0x97); MQTT 3.x has
     * no such answer, so QoS 0 is dropped and QoS 1/2 publishers are disconnected without an
     * acknowledgement, to send the message again once they reconnect.
     *
     * @return false: the packet was dealt with
     */
    private boolean refuseForMemory(Publish p) {
        p.release();
        metrics.recordPublishDropped();
        if (!memoryLogged) {
            memoryLogged = true;
            ConnectionLog.LOG.warn("Refused PUBLISH from {} to '{}': the broker is above its memory_limit.",
                    connection.clientId(), p.topic());
        }
        PacketWriter writer = connection.writer();
        boolean v5 = writer.version().isV5();
        switch (p.qos()) {
            case AT_MOST_ONCE -> { }
            case AT_LEAST_ONCE -> {
                if (v5) {
                    writer.write(new PubAck(p.packetId(), ReasonCodes.QUOTA_EXCEEDED, MqttProperties.EMPTY));
                } else {
                    connection.protocolError("published while the broker is above its memory_limit",
                            ReasonCodes.QUOTA_EXCEEDED);
                }
            }
            case EXACTLY_ONCE -> {
                if (v5) {
                    writer.write(new PubRec(p.packetId(), ReasonCodes.QUOTA_EXCEEDED, MqttProperties.EMPTY));
                } else {
                    connection.protocolError("published while the broker is above its memory_limit",
                            ReasonCodes.QUOTA_EXCEEDED);
                }
            }
        }
        return false;
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
