package dev.tern.client;

import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound messages of one client, from acceptance to the end of their flows: the bounded queue
 * of messages not yet sent (also the offline buffer), the in-flight QoS 1/2 flows in send order with
 * their packet ids, the window {@code min(maxInflight, server Receive Maximum)}, the checks against
 * the server's limits, and their mirror in the {@link SessionStore}.
 */
// event loop only
final class OutboundFlows {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundFlows.class);

    /** Writes one packet on the connection (trace and keep-alive included). */
    interface Wire {
        ChannelFuture write(Channel ch, MqttPacket packet);
    }

    private final TernClientBuilder config;
    private final MqttVersion version;
    private final @Nullable SessionStore store;
    private final PacketIds ids;
    private final TopicAliases aliases;
    private final Wire wire;
    private final ArrayDeque<OutboundEntry> queue = new ArrayDeque<>();
    private final LinkedHashMap<Integer, OutboundEntry> inflight = new LinkedHashMap<>();
    private long nextSequence = 1;

    // Limits of the current server (MQTT 5.0 CONNACK; 3.x: the defaults).
    private int serverReceiveMaximum = 65_535;
    private int serverMaximumQos = 2;
    private boolean serverRetainAvailable = true;
    private long serverMaximumPacketSize = MqttPacketDecoder.MAX_PACKET_SIZE;

    OutboundFlows(TernClientBuilder config, @Nullable SessionStore store, PacketIds ids, TopicAliases aliases,
                  Wire wire) {
        this.config = config;
        this.version = config.version;
        this.store = store;
        this.ids = ids;
        this.aliases = aliases;
        this.wire = wire;
        if (store != null) {
            restore(store);
        }
    }

    /** Loads the messages a previous process left in the store. */
    private void restore(SessionStore s) {
        for (StoredPublish p : s.outbound()) {
            OutboundEntry e = new OutboundEntry(p.sequence(), p.message(), null);
            nextSequence = Math.max(nextSequence, p.sequence() + 1);
            if (p.packetId() != 0) {
                e.packetId = p.packetId();
                e.released = p.released();
                e.sent = true;
                ids.reserve(p.packetId());
                inflight.put(p.packetId(), e);
            } else {
                queue.add(e);
            }
        }
        if (!inflight.isEmpty() || !queue.isEmpty()) {
            LOG.debug("Restored {} in-flight and {} queued messages from the session store", inflight.size(),
                    queue.size());
        }
    }

    int inflightCount() {
        return inflight.size();
    }

    int queuedCount() {
        return queue.size();
    }

    /** The CONNACK's limits. */
    void serverLimits(MqttProperties p) {
        serverReceiveMaximum = p.receiveMaximum() != null ? p.receiveMaximum() : 65_535;
        serverMaximumQos = p.maximumQos() != null ? p.maximumQos() : 2;
        serverRetainAvailable = p.retainAvailable() == null || p.retainAvailable() == 1;
        serverMaximumPacketSize = p.maximumPacketSize() != null ? p.maximumPacketSize()
                : MqttPacketDecoder.MAX_PACKET_SIZE;
    }

    long serverMaximumPacketSize() {
        return serverMaximumPacketSize;
    }

    /** Queues a message (bounded, with the overflow policy); the caller pumps when connected. */
    CompletableFuture<PublishResult> accept(Message m) {
        CompletableFuture<PublishResult> f = new CompletableFuture<>();
        if (queue.size() >= config.maxQueuedMessages) {
            if (config.overflowPolicy == OverflowPolicy.FAIL_NEW || queue.isEmpty()) {
                f.completeExceptionally(new MqttClientException("message queue full (" + config.maxQueuedMessages
                        + " messages)", ReasonCodes.QUOTA_EXCEEDED));
                return f;
            }
            OutboundEntry dropped = queue.poll();
            dropped.fail(new MqttClientException("dropped: the message queue was full", ReasonCodes.QUOTA_EXCEEDED));
            if (store != null && dropped.message.qos() != QoS.AT_MOST_ONCE) {
                store.remove(dropped.sequence);
            }
        }
        OutboundEntry e = new OutboundEntry(nextSequence++, m, f);
        if (store != null && m.qos() != QoS.AT_MOST_ONCE) {
            store.add(new StoredPublish(e.sequence, m, 0, false));
        }
        queue.add(e);
        return f;
    }

    /** Session resumed: re-send unacknowledged PUBLISH with DUP and pending PUBREL, in order [MQTT-4.4.0-1]. */
    void resend(Channel ch) {
        for (OutboundEntry e : inflight.values()) {
            if (e.released) {
                wire.write(ch, new PubRel(e.packetId));
            } else {
                writePublish(ch, e, true);
            }
        }
    }

    /**
     * The session is gone (a clean start, or the server lost it): the flows end on our side too
     * [MQTT-3.1.2-6]. PUBREC'd QoS 2 messages are complete (the server had them); the others go back to
     * the front of the queue, in order, to be published anew.
     */
    void sessionLost() {
        List<OutboundEntry> flows = new ArrayList<>(inflight.values());
        inflight.clear();
        for (OutboundEntry e : flows) {
            ids.release(e.packetId);
            e.packetId = 0;
            if (e.released) {
                complete(e, 0, MqttProperties.EMPTY);
                if (store != null) {
                    store.remove(e.sequence);
                }
            }
        }
        for (int i = flows.size() - 1; i >= 0; i--) {
            OutboundEntry e = flows.get(i);
            if (!e.released) {
                e.sent = false;
                queue.addFirst(e);
                if (store != null) {
                    store.update(e.sequence, 0, false);
                }
            }
        }
    }

    /** Fails the messages not yet sent (the client gave up or disconnected); they stay in the store. */
    void failQueued(MqttClientException error) {
        for (OutboundEntry e : queue) {
            e.fail(error);
        }
        queue.clear();
    }

    /** Fails the callers of in-flight messages; with {@code forget} the flows end (no session to resume). */
    void failInflight(MqttClientException error, boolean forget) {
        for (OutboundEntry e : inflight.values()) {
            e.fail(error);
            if (forget) {
                ids.release(e.packetId);
            }
        }
        if (forget) {
            inflight.clear();
            if (store != null) {
                store.clear();
            }
        }
    }

    private int window() {
        return Math.min(config.maxInflight, serverReceiveMaximum);
    }

    /** Moves queued messages into flight while the window has room and the channel is writable. */
    void pump(Channel ch) {
        while (!queue.isEmpty() && ch.isWritable()) {
            OutboundEntry e = queue.peek();
            QoS qos = e.message.qos();
            String problem = checkAgainstServer(e.message);
            if (problem != null) {
                queue.poll();
                if (store != null && qos != QoS.AT_MOST_ONCE) {
                    store.remove(e.sequence);
                }
                e.fail(new MqttClientException(problem, -1));
                continue;
            }
            if (qos == QoS.AT_MOST_ONCE) {
                queue.poll();
                CompletableFuture<PublishResult> f = e.future;
                writePublish(ch, e, false).addListener(w -> {
                    if (f != null) {
                        if (w.isSuccess()) {
                            f.complete(new PublishResult(e.message, 0, MqttProperties.EMPTY));
                        } else {
                            f.completeExceptionally(new MqttClientException("write failed: " + w.cause(), -1,
                                    w.cause()));
                        }
                    }
                });
                continue;
            }
            if (inflight.size() >= window()) {
                return; // the server's Receive Maximum (or ours) is reached [MQTT-4.9.0-2]
            }
            int id = ids.allocate();
            if (id == 0) {
                return;
            }
            queue.poll();
            e.packetId = id;
            inflight.put(id, e);
            if (store != null) {
                store.update(e.sequence, id, false);
            }
            writePublish(ch, e, e.sent);
        }
    }

    /** Why the current server cannot take this message, or null. */
    private @Nullable String checkAgainstServer(Message m) {
        if (m.qos().value() > serverMaximumQos) {
            return "the server supports QoS " + serverMaximumQos + " at most [MQTT-3.2.2-11]";
        }
        if (m.retain() && !serverRetainAvailable) {
            return "the server does not support retained messages [MQTT-3.2.2-14]";
        }
        return null;
    }

    private ChannelFuture writePublish(Channel ch, OutboundEntry e, boolean dup) {
        Message m = e.message;
        String topic = m.topic();
        MqttProperties props = version.isV5() ? m.properties() : MqttProperties.EMPTY;
        int[] alias = version.isV5() ? aliases.forTopic(topic) : null;
        if (alias != null) {
            props = props.toBuilder().topicAlias(alias[0]).build();
            if (alias[1] == 1) {
                topic = "";
            }
        }
        ByteBuf payload = Unpooled.wrappedBuffer(m.payloadUnsafe());
        Publish p = new Publish(topic, m.qos(), m.retain(), dup, e.packetId, props, payload);
        int size = MqttPacketEncoder.publishSize(p, version);
        if (size > serverMaximumPacketSize) {
            payload.release();
            // Too large for the server [MQTT-3.1.2-24 (5.0)]: the message is not sent and its flow ends.
            if (e.packetId != 0) {
                inflight.remove(e.packetId);
                ids.release(e.packetId);
            }
            if (store != null && m.qos() != QoS.AT_MOST_ONCE) {
                store.remove(e.sequence);
            }
            e.fail(new MqttClientException("the message (" + size + " bytes) exceeds the server's Maximum Packet Size "
                    + serverMaximumPacketSize, ReasonCodes.PACKET_TOO_LARGE));
            return ch.newSucceededFuture();
        }
        e.sent = true;
        if (alias != null && alias[1] == 0) {
            aliases.announced(topic, alias[0]);
        }
        try {
            return wire.write(ch, p);
        } finally {
            payload.release();
        }
    }

    /** PUBACK; true if it ended a flow (the window has room again). */
    boolean onPubAck(PubAck a) {
        OutboundEntry e = inflight.get(a.packetId());
        if (e == null || e.message.qos() != QoS.AT_LEAST_ONCE) {
            LOG.debug("PUBACK for unknown packet id {}", a.packetId());
            return false;
        }
        endFlow(e);
        complete(e, a.reasonCode(), a.properties());
        return true;
    }

    /** PUBREC: PUBREL, or the end of the flow for an error reason; true if a flow ended. */
    boolean onPubRec(Channel ch, PubRec r) {
        OutboundEntry e = inflight.get(r.packetId());
        if (e == null || e.message.qos() != QoS.EXACTLY_ONCE) {
            if (version.isV5()) {
                wire.write(ch, new PubRel(r.packetId(), ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, MqttProperties.EMPTY));
                ch.flush();
            }
            return false;
        }
        if (ReasonCodes.isError(r.reasonCode())) {
            // A failed PUBREC ends the flow; the message must not be re-sent (MQTT 5.0 section 4.3.3).
            endFlow(e);
            complete(e, r.reasonCode(), r.properties());
            return true;
        }
        if (!e.released) {
            e.released = true;
            if (store != null) {
                store.update(e.sequence, e.packetId, true);
            }
        }
        wire.write(ch, new PubRel(r.packetId()));
        ch.flush();
        return false;
    }

    /** PUBCOMP; true if it ended a flow. */
    boolean onPubComp(PubComp c) {
        OutboundEntry e = inflight.get(c.packetId());
        if (e == null || !e.released) {
            LOG.debug("PUBCOMP for unknown packet id {}", c.packetId());
            return false;
        }
        endFlow(e);
        if (ReasonCodes.isError(c.reasonCode())) {
            // The server accepted the message with its PUBREC; an error here concerns only the PUBREL,
            // e.g. 0x92 when a PUBREL re-sent after a reconnection had already been processed.
            LOG.debug("PUBCOMP {} for packet id {}", ReasonText.reason(c.reasonCode()), c.packetId());
            complete(e, 0, c.properties());
        } else {
            complete(e, c.reasonCode(), c.properties());
        }
        return true;
    }

    private void endFlow(OutboundEntry e) {
        inflight.remove(e.packetId);
        ids.release(e.packetId);
        if (store != null) {
            store.remove(e.sequence);
        }
    }

    private void complete(OutboundEntry e, int reasonCode, MqttProperties properties) {
        if (e.future == null) {
            return;
        }
        if (ReasonCodes.isError(reasonCode)) {
            String text = properties.reasonString();
            e.future.completeExceptionally(new MqttClientException("the server refused the message: "
                    + ReasonText.reason(reasonCode) + (text == null ? "" : " (" + text + ")"), reasonCode));
        } else {
            e.future.complete(new PublishResult(e.message, reasonCode, properties));
        }
    }

}
