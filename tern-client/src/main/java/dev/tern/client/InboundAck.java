package dev.tern.client;

import dev.tern.codec.QoS;

/**
 * The acknowledgement owed for one received QoS 1 or 2 PUBLISH. It is sent once every party that
 * holds it back has let go ({@link #holds}: a message stream until the message is taken, the
 * application in manual mode), and never before the acknowledgements of earlier messages
 * [MQTT-4.6.0-2].
 */
// event loop only
final class InboundAck {
    final int packetId;
    final QoS qos;
    final long connection;
    int holds;
    boolean ready;

    InboundAck(int packetId, QoS qos, long connection) {
        this.packetId = packetId;
        this.qos = qos;
        this.connection = connection;
    }
}
