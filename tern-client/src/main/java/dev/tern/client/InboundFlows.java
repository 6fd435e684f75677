package dev.tern.client;

import dev.tern.codec.QoS;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The inbound QoS 1 and 2 flows: the packet ids of QoS 2 messages received but not yet released
 * (exactly-once delivery, MQTT 4.3.3 method B), and the acknowledgements owed, which leave in the
 * order the messages arrived [MQTT-4.6.0-2, MQTT-4.6.0-3] once nobody holds them back.
 */
// event loop only
final class InboundFlows {
    /** QoS 2 packet id -> the application has acknowledged the first copy. */
    private final Map<Integer, Boolean> qos2 = new HashMap<>();
    private final ArrayDeque<InboundAck> pending = new ArrayDeque<>();
    private final @Nullable SessionStore store;

    InboundFlows(@Nullable SessionStore store) {
        this.store = store;
        if (store != null) {
            for (int id : store.inboundQos2()) {
                qos2.put(id, Boolean.TRUE);
            }
        }
    }

    /** QoS 1/2 messages received and not yet completely acknowledged (for our Receive Maximum). */
    int unacknowledged() {
        return pending.size() + qos2.size();
    }

    boolean isKnownQos2(int packetId) {
        return qos2.containsKey(packetId);
    }

    /**
     * A QoS 1 or 2 PUBLISH arrived.
     *
     * @return the acknowledgement to hold while the message is delivered, or null if it is a copy of
     *         a QoS 2 message already delivered (its PUBREC is queued, it must not be delivered again)
     */
    @Nullable InboundAck received(int packetId, QoS qos, long connection) {
        InboundAck ack = new InboundAck(packetId, qos, connection);
        if (qos == QoS.EXACTLY_ONCE) {
            Boolean acknowledged = qos2.get(packetId);
            if (acknowledged != null) {
                ack.ready = acknowledged; // else it waits for the application to acknowledge the first copy
                pending.add(ack);
                return null;
            }
            qos2.put(packetId, Boolean.FALSE);
            if (store != null) {
                store.addInboundQos2(packetId);
            }
        }
        pending.add(ack);
        return ack;
    }

    /** One holder let go; true if the acknowledgement became ready. */
    boolean release(InboundAck ack) {
        if (--ack.holds > 0) {
            return false;
        }
        ack.ready = true;
        if (ack.qos == QoS.EXACTLY_ONCE && qos2.containsKey(ack.packetId)) {
            qos2.put(ack.packetId, Boolean.TRUE);
            for (InboundAck other : pending) {
                if (other != ack && other.packetId == ack.packetId && other.qos == QoS.EXACTLY_ONCE) {
                    other.ready = true; // copies re-sent on a later connection were waiting for this one
                }
            }
        }
        return true;
    }

    /** The acknowledgements that may leave now, in arrival order; those owed to a lost connection are dropped. */
    List<MqttPacket> takeReady(long connection) {
        List<MqttPacket> out = new ArrayList<>();
        while (!pending.isEmpty() && pending.peek().ready) {
            InboundAck a = pending.poll();
            if (a.connection == connection) {
                out.add(a.qos == QoS.AT_LEAST_ONCE ? new PubAck(a.packetId) : new PubRec(a.packetId));
            }
        }
        return out;
    }

    /** PUBREL arrived; true if the id was known. */
    boolean released(int packetId) {
        boolean known = qos2.remove(packetId) != null;
        if (known && store != null) {
            store.removeInboundQos2(packetId);
        }
        return known;
    }

    /** The connection ended: acknowledgements owed to it are void (the server re-sends). */
    void connectionLost() {
        pending.clear();
    }

    /** A clean start or a lost session: forget the QoS 2 ids too. */
    void discard() {
        qos2.clear();
        if (store != null) {
            Set<Integer> stored = store.inboundQos2();
            for (int id : stored) {
                store.removeInboundQos2(id);
            }
        }
    }
}
