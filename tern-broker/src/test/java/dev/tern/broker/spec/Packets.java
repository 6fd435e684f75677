package dev.tern.broker.spec;

import java.nio.charset.StandardCharsets;

/**
 * Raw MQTT 3.1.1 (and 3.1) packets as the client side sends them, written out field by field with
 * {@link Bytes}. Flags are spelt out so that each test shows the bits it is about.
 */
final class Packets {
    /** CONNECT flag bits (MQTT 3.1.1 section 3.1.2.3). */
    static final int CLEAN = 0x02;
    static final int WILL = 0x04;
    static final int WILL_QOS_1 = 0x08;
    static final int WILL_QOS_2 = 0x10;
    static final int WILL_RETAIN = 0x20;
    static final int PASSWORD = 0x40;
    static final int USERNAME = 0x80;

    static final byte[] PINGREQ = Bytes.of(0xC0, 0x00);
    static final byte[] PINGRESP = Bytes.of(0xD0, 0x00);
    static final byte[] DISCONNECT = Bytes.of(0xE0, 0x00);
    static final byte[] CONNACK_ACCEPTED = Bytes.of(0x20, 0x02, 0x00, 0x00);

    private Packets() {}

    /** The variable header of a CONNECT: protocol name, level, flags, keep-alive. */
    static Bytes connectHeader(String protocolName, int level, int flags, int keepAlive) {
        return Bytes.packet(0x10).utf8(protocolName).u8(level).u8(flags).u16(keepAlive);
    }

    /** An MQTT 3.1.1 CONNECT with only a client id. */
    static byte[] connect(String clientId, int flags, int keepAlive) {
        return connectHeader("MQTT", 4, flags, keepAlive).utf8(clientId).build();
    }

    /** An MQTT 3.1.1 clean-session CONNECT with keep-alive 60. */
    static byte[] connect(String clientId) {
        return connect(clientId, CLEAN, 60);
    }

    /** An MQTT 3.1 CONNECT (protocol name MQIsdp, level 3). */
    static byte[] connect31(String clientId, int flags, int keepAlive) {
        return connectHeader("MQIsdp", 3, flags, keepAlive).utf8(clientId).build();
    }

    /** An MQTT 3.1.1 CONNECT with a will; {@code flags} may add will QoS and will retain bits. */
    static byte[] connectWithWill(String clientId, int flags, int keepAlive, String willTopic, String willMessage) {
        return connectHeader("MQTT", 4, flags | WILL, keepAlive).utf8(clientId).utf8(willTopic).utf8(willMessage)
                .build();
    }

    /** PUBLISH; {@code flags} are the low four bits of the fixed header (DUP, QoS, RETAIN). */
    static byte[] publish(int flags, String topic, int packetId, String payload) {
        Bytes b = Bytes.packet(0x30 | flags).utf8(topic);
        if ((flags & 0x06) != 0) {
            b.u16(packetId);
        }
        return b.payload(payload).build();
    }

    /** QoS 0 PUBLISH, RETAIN 0. */
    static byte[] publish0(String topic, String payload) {
        return publish(0x00, topic, 0, payload);
    }

    /** SUBSCRIBE with (filter, requested QoS) pairs given as alternating String and Integer. */
    static byte[] subscribe(int packetId, Object... filterQosPairs) {
        Bytes b = Bytes.packet(0x82).u16(packetId);
        for (int i = 0; i < filterQosPairs.length; i += 2) {
            b.utf8((String) filterQosPairs[i]).u8((Integer) filterQosPairs[i + 1]);
        }
        return b.build();
    }

    static byte[] unsubscribe(int packetId, String... filters) {
        Bytes b = Bytes.packet(0xA2).u16(packetId);
        for (String f : filters) {
            b.utf8(f);
        }
        return b.build();
    }

    static byte[] puback(int packetId) {
        return Bytes.packet(0x40).u16(packetId).build();
    }

    static byte[] pubrec(int packetId) {
        return Bytes.packet(0x50).u16(packetId).build();
    }

    static byte[] pubrel(int packetId) {
        return Bytes.packet(0x62).u16(packetId).build();
    }

    static byte[] pubcomp(int packetId) {
        return Bytes.packet(0x70).u16(packetId).build();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
