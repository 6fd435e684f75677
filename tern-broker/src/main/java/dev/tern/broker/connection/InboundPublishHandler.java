package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.broker.security.AclAccess;
import dev.tern.broker.session.Session;
import dev.tern.broker.session.SessionRegistry;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import java.util.concurrent.CompletableFuture;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.Utf8;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * The receiving side of QoS 0, 1 and 2 for one connection (MQTT 3.1.1 section 4.3, MQTT 5.0 section
 * 4.3). QoS 2 uses the specification's method B: the message is routed when first received, and its
 * packet id is remembered in the session until PUBREL so that a re-sent PUBLISH is acknowledged again
 * but not routed twice (MQTT-4.3.3-10). Event loop only.
 *
 * <p>For MQTT 5.0 it also resolves inbound Topic Aliases (up to the Topic Alias Maximum the broker
 * announced), enforces the broker's Receive Maximum for QoS 2 flows (DISCONNECT 0x93) and Maximum QoS
 * (0x9B), and answers with the reason code of {@link #verdict}: the one place that decides whether a
 * PUBLISH is accepted ($SYS, size, payload format, the ACL). {@code max_publish_rate} and
 * {@code memory_limit} apply before it.
 */
final class InboundPublishHandler {
    /**
     * Whether a PUBLISH is accepted.
     *
     * @param reasonCode 0x00 to route, else the PUBACK/PUBREC reason code (0x80 and above)
     * @param reason     why not, for the log and the Reason String; empty when accepted
     */
    record Verdict(int reasonCode, String reason) {
        static final Verdict ACCEPTED = new Verdict(ReasonCodes.SUCCESS, "");

        boolean accepted() {
            return reasonCode < 0x80;
        }
    }

    private final MqttConnection connection;
    private final BrokerConfig config;
    private final Router router;
    private final BrokerMetrics metrics;
    private final @Nullable PublishRateLimiter rateLimiter;
    private boolean dropLogged;
    private boolean storeLogged;
    private final SessionRegistry sessions;
    /** Keeps acknowledgements and deliveries in PUBLISH order while some wait for the store. */
    private final PublishSequencer sequencer;
    private boolean memoryLogged;
    /** Inbound Topic Alias mappings of this connection (MQTT-3.3.2-7), index = alias; created on first use. */
    private String @Nullable [] topicAliases;

    InboundPublishHandler(MqttConnection connection, BrokerContext context, int maxPublishRate) {
        this.connection = connection;
        this.sessions = context.sessions();
        this.sequencer = new PublishSequencer(task -> connection.eventLoop().execute(task),
                () -> connection.writer().flush());
        this.config = context.config();
        this.router = context.router();
        this.metrics = context.metrics();
        this.rateLimiter = maxPublishRate > 0 ? new PublishRateLimiter(maxPublishRate, System.nanoTime()) : null;
    }

    /** Handles a PUBLISH; takes over its payload reference. */
    void onPublish(Publish p, Session session) {
        metrics.recordPublishReceived(p.payload().readableBytes());
        boolean v5 = connection.writer().version().isV5();
        String topic = p.topic();
        if (v5) {
            topic = resolveTopic(p);
            if (topic == null) {
                p.release();
                return;
            }
            if (!p.properties().subscriptionIdentifiers().isEmpty()) {
                p.release();
                connection.protocolError("sent a PUBLISH with a Subscription Identifier [MQTT-3.3.4-6]",
                        ReasonCodes.PROTOCOL_ERROR);
                return;
            }
            if (p.qos().value() > config.maxQos()) {
                p.release();
                connection.protocolError("published at QoS " + p.qos().value() + " above the Maximum QoS "
                        + config.maxQos() + " [MQTT-3.2.2-11]", ReasonCodes.QOS_NOT_SUPPORTED);
                return;
            }
        }
        if (p.retain() && !config.retainAvailable()) {
            p.release();
            connection.protocolError("sent a retained message but retain_available is false [MQTT-3.2.2-14]",
                    ReasonCodes.RETAIN_NOT_SUPPORTED);
            return;
        }
        limitRate();
        if (connection.policy().memory().overLimit() && !refuseForMemory(p)) {
            return;
        }
        if (v5 && p.qos().value() == 2 && !session.hasInboundQos2(p.packetId())
                && session.inboundQos2Count() >= config.receiveMaximum()) {
            p.release();
            connection.protocolError("has more than Receive Maximum " + config.receiveMaximum()
                    + " QoS 2 messages unacknowledged [MQTT-3.3.4-7]", ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED);
            return;
        }
        Verdict verdict = verdict(topic, p);
        if (!verdict.accepted()) {
            p.release();
            metrics.recordPublishDropped();
            if (!dropLogged) {
                dropLogged = true;
                ConnectionLog.LOG.warn("Denied PUBLISH from {} to '{}': {}.", connection.clientId(), topic,
                        verdict.reason());
            }
        }
        PacketWriter writer = connection.writer();
        int id = p.packetId();
        switch (p.qos()) {
            case AT_MOST_ONCE -> {
                if (verdict.accepted()) {
                    route(p, topic, session, 0, (subscribers, error) -> { });
                } else if (v5 && verdict.reasonCode() == ReasonCodes.PAYLOAD_FORMAT_INVALID) {
                    // No acknowledgement to carry the reason: DISCONNECT 0x99 (MQTT 5.0 section 3.3.2.3.2).
                    connection.protocolError(verdict.reason(), ReasonCodes.PAYLOAD_FORMAT_INVALID);
                }
            }
            case AT_LEAST_ONCE -> {
                if (!verdict.accepted()) {
                    PubAck refusal = new PubAck(id, verdict.reasonCode(), reasonProperties(verdict));
                    sequencer.submit(() -> writer.write(refusal));
                    return;
                }
                route(p, topic, session, 0, (subscribers, error) -> {
                    if (error == null) {
                        writer.write(new PubAck(id, successCode(subscribers), MqttProperties.EMPTY));
                    } else if (refusedByStore(error)) {
                        writer.write(new PubAck(id, ReasonCodes.QUOTA_EXCEEDED, storeReason(error)));
                    }
                });
            }
            case EXACTLY_ONCE -> {
                boolean first = session.beginInboundQos2(id);
                if (verdict.accepted() && first) {
                    route(p, topic, session, id, (subscribers, error) -> {
                        if (error == null) {
                            writer.write(new PubRec(id, successCode(subscribers), MqttProperties.EMPTY));
                        } else {
                            session.endInboundQos2(id); // not stored: the flow ends, a new attempt is new
                            if (refusedByStore(error)) {
                                writer.write(new PubRec(id, ReasonCodes.QUOTA_EXCEEDED, storeReason(error)));
                            }
                        }
                    });
                    return;
                }
                if (verdict.accepted()) {
                    p.release(); // re-sent before PUBREL: already routed once (MQTT-4.3.3-10)
                } else if (first) {
                    session.endInboundQos2(id); // an error PUBREC ends the flow (MQTT-4.3.3-9)
                }
                PubRec answer = new PubRec(id, verdict.reasonCode(), reasonProperties(verdict));
                sequencer.submit(() -> writer.write(answer));
            }
        }
    }

    /**
     * The store could not take a message (disk full): MQTT 5.0 publishers get the reason code; 3.x ones
     * cannot be told, so they are disconnected without an acknowledgement and send it again later.
     *
     * @return true if an acknowledgement with 0x97 is to be written
     */
    private boolean refusedByStore(Throwable error) {
        if (!storeLogged) {
            storeLogged = true;
            ConnectionLog.LOG.warn("Refused a PUBLISH from {}: the store cannot take it ({}).", connection.clientId(),
                    error.getMessage());
        }
        if (connection.writer().version().isV5()) {
            return true;
        }
        connection.protocolError("published while the store cannot take new messages", ReasonCodes.QUOTA_EXCEEDED);
        return false;
    }

    private static MqttProperties storeReason(Throwable error) {
        return MqttProperties.builder().reasonString("the broker cannot store messages now: " + error.getMessage())
                .build();
    }

    /** PUBREL: the QoS 2 flow's packet id may be reused; answer PUBCOMP (MQTT-4.3.3-11). */
    void onPubRel(PubRel rel, Session session) {
        boolean known = session.endInboundQos2(rel.packetId());
        int code = known || !connection.writer().version().isV5() ? ReasonCodes.SUCCESS
                : ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND;
        MqttProperties props = known ? MqttProperties.EMPTY
                : MqttProperties.builder().reasonString("no QoS 2 flow with packet identifier " + rel.packetId())
                        .build();
        PubComp comp = new PubComp(rel.packetId(), code, props);
        Store store = sessions.store();
        if (known && store != null && session.isStored()) {
            // PUBCOMP lets the client reuse the id: only once the store has forgotten it, or a crash would
            // make the next message with this id look like a duplicate.
            CompletableFuture<Void> forgotten = store.commit(new StoreBatch().removeInboundQos2(connection.clientId(),
                    rel.packetId()));
            sequencer.submit(forgotten, error -> connection.writer().write(comp));
        } else {
            sequencer.submit(() -> connection.writer().write(comp));
        }
    }

    /**
     * The topic of a PUBLISH after its Topic Alias (MQTT 5.0 section 3.3.2.3.4): an alias with a topic
     * sets the mapping, an alias alone uses it. Null after closing the connection for a bad alias.
     */
    private @Nullable String resolveTopic(Publish p) {
        Integer alias = p.properties().topicAlias();
        if (alias == null) {
            return p.topic();
        }
        int max = config.mqtt5().maxTopicAlias();
        if (alias > max) {
            connection.protocolError("sent Topic Alias " + alias + " above the Topic Alias Maximum " + max
                    + " [MQTT-3.2.2-17]", ReasonCodes.TOPIC_ALIAS_INVALID);
            return null;
        }
        String[] aliases = topicAliases;
        if (aliases == null) {
            aliases = new String[max + 1];
            topicAliases = aliases;
        }
        if (!p.topic().isEmpty()) {
            aliases[alias] = p.topic();
            return p.topic();
        }
        String topic = aliases[alias];
        if (topic == null) {
            connection.protocolError("sent Topic Alias " + alias + " with an empty topic before mapping it",
                    ReasonCodes.PROTOCOL_ERROR);
        }
        return topic;
    }

    /**
     * Decides whether a PUBLISH is accepted, and with which reason code it is refused: $SYS is
     * read-only (0x87), {@code message_size_limit} (0x97), and a payload that is not the UTF-8 its
     * Payload Format Indicator promises (0x99).
     */
    Verdict verdict(String topic, Publish p) {
        if (SysTopics.isSysTopic(topic)) {
            return new Verdict(ReasonCodes.NOT_AUTHORIZED, "$SYS topics are read-only for clients");
        }
        long limit = config.messageSizeLimit();
        int size = p.payload().readableBytes();
        if (limit > 0 && size > limit) {
            return new Verdict(ReasonCodes.QUOTA_EXCEEDED,
                    "payload of " + size + " bytes exceeds message_size_limit " + limit);
        }
        if (!connection.authorized(AclAccess.WRITE, topic)) {
            // MQTT 3.1.1 has no way to say so: the message is acknowledged and dropped, as Mosquitto does.
            return new Verdict(ReasonCodes.NOT_AUTHORIZED, "the ACL does not allow this client to publish there");
        }
        if (config.mqtt5().validatePayloadFormat() && !isValidPayloadFormat(p.properties(), p.payload())) {
            return new Verdict(ReasonCodes.PAYLOAD_FORMAT_INVALID,
                    "Payload Format Indicator is 1 but the payload is not valid UTF-8");
        }
        return Verdict.ACCEPTED;
    }

    /** False if the Payload Format Indicator says UTF-8 and the payload is not (MQTT 5.0 section 3.3.2.3.2). */
    static boolean isValidPayloadFormat(MqttProperties properties, ByteBuf payload) {
        Integer pfi = properties.payloadFormatIndicator();
        return pfi == null || pfi == 0 || Utf8.check(payload, payload.readerIndex(), payload.readableBytes()) == null;
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
                    PubAck refusal = new PubAck(p.packetId(), ReasonCodes.QUOTA_EXCEEDED, MqttProperties.EMPTY);
                    sequencer.submit(() -> writer.write(refusal));
                } else {
                    connection.protocolError("published while the broker is above its memory_limit",
                            ReasonCodes.QUOTA_EXCEEDED);
                }
            }
            case EXACTLY_ONCE -> {
                if (v5) {
                    PubRec refusal = new PubRec(p.packetId(), ReasonCodes.QUOTA_EXCEEDED, MqttProperties.EMPTY);
                    sequencer.submit(() -> writer.write(refusal));
                } else {
                    connection.protocolError("published while the broker is above its memory_limit",
                            ReasonCodes.QUOTA_EXCEEDED);
                }
            }
        }
        return false;
    }

    private int successCode(int subscribers) {
        // 0x10 tells an MQTT 5.0 publisher nobody received it (as Mosquitto does); 3.x acks carry no code.
        return subscribers == 0 ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
    }

    private static MqttProperties reasonProperties(Verdict verdict) {
        return verdict.reason().isEmpty() ? MqttProperties.EMPTY
                : MqttProperties.builder().reasonString(verdict.reason()).build();
    }

    /** What to do once a routed message is delivered (error null) or refused by the store. */
    private interface Routed {
        void done(int subscribers, @Nullable Throwable error);
    }

    /**
     * Routes a message and runs {@code done} in PUBLISH order: at once without persistence, once stored
     * with it (see {@link DurableRouting}).
     */
    private void route(Publish p, String topic, Session session, int qos2PacketId, Routed done) {
        Message message = new Message(topic, p.payload(), p.qos(), p.retain(), forwarded(p.properties()),
                connection.clientId());
        Store store = sessions.store();
        if (store == null) {
            int n;
            try {
                n = router.publish(message);
            } finally {
                message.release();
            }
            sequencer.submit(() -> done.done(n, null));
            return;
        }
        DurableRouting.Routed r = DurableRouting.route(router, store, message, session, qos2PacketId, metrics);
        sequencer.submit(r.stored(), error -> {
            r.finish().run(error);
            done.done(r.subscribers(), error);
        });
    }

    /** The MQTT 5.0 properties that travel with the message: all but the Topic Alias (MQTT-3.3.2-7). */
    private static MqttProperties forwarded(MqttProperties p) {
        if (p.isEmpty() || p.topicAlias() == null) {
            return p;
        }
        return p.toBuilder().topicAlias(null).build();
    }
}
