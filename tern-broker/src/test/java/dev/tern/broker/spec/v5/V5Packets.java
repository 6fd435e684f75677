package dev.tern.broker.spec.v5;

import dev.tern.broker.spec.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * Raw MQTT 5.0 packets as a client sends them, with their property blocks spelt out ({@link Props}).
 */
final class V5Packets {
    /** CONNECT flag bits (MQTT 5.0 section 3.1.2.3). */
    static final int CLEAN_START = 0x02;
    static final int WILL = 0x04;
    static final int WILL_QOS_1 = 0x08;
    static final int WILL_QOS_2 = 0x10;
    static final int WILL_RETAIN = 0x20;
    static final int PASSWORD = 0x40;
    static final int USERNAME = 0x80;

    /** Subscription option bits (MQTT 5.0 section 3.8.3.1). */
    static final int NO_LOCAL = 0x04;
    static final int RETAIN_AS_PUBLISHED = 0x08;
    static final int RETAIN_HANDLING_1 = 0x10;
    static final int RETAIN_HANDLING_2 = 0x20;

    static final byte[] PINGREQ = Bytes.of(0xC0, 0x00);
    static final byte[] PINGRESP = Bytes.of(0xD0, 0x00);
    static final byte[] DISCONNECT = Bytes.of(0xE0, 0x00);

    private V5Packets() {}

    /** A CONNECT: protocol name "MQTT", level 5, flags, keep-alive, properties, client id. */
    static byte[] connect(String clientId, int flags, int keepAlive, Props props) {
        return Bytes.packet(0x10).utf8("MQTT").u8(5).u8(flags).u16(keepAlive).raw(props.block()).utf8(clientId)
                .build();
    }

    /** A clean-start CONNECT with keep-alive 60 and no properties. */
    static byte[] connect(String clientId) {
        return connect(clientId, CLEAN_START, 60, Props.none());
    }

    /** A CONNECT with a will; {@code flags} may add will QoS and retain bits. */
    static byte[] connectWithWill(String clientId, int flags, int keepAlive, Props props, Props willProps,
                                  String willTopic, String willPayload) {
        return Bytes.packet(0x10).utf8("MQTT").u8(5).u8(flags | WILL).u16(keepAlive).raw(props.block())
                .utf8(clientId).raw(willProps.block()).utf8(willTopic).utf8(willPayload).build();
    }

    /** PUBLISH; {@code flags} are the low four bits of the fixed header (DUP, QoS, RETAIN). */
    static byte[] publish(int flags, String topic, int packetId, Props props, byte[] payload) {
        Bytes b = Bytes.packet(0x30 | flags).utf8(topic);
        if ((flags & 0x06) != 0) {
            b.u16(packetId);
        }
        return b.raw(props.block()).raw(payload).build();
    }

    static byte[] publish(int flags, String topic, int packetId, Props props, String payload) {
        return publish(flags, topic, packetId, props, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** QoS 0 PUBLISH without properties. */
    static byte[] publish0(String topic, String payload) {
        return publish(0x00, topic, 0, Props.none(), payload);
    }

    /** SUBSCRIBE with (filter, options byte) pairs given as alternating String and Integer. */
    static byte[] subscribe(int packetId, Props props, Object... filterOptionPairs) {
        Bytes b = Bytes.packet(0x82).u16(packetId).raw(props.block());
        for (int i = 0; i < filterOptionPairs.length; i += 2) {
            b.utf8((String) filterOptionPairs[i]).u8((Integer) filterOptionPairs[i + 1]);
        }
        return b.build();
    }

    static byte[] unsubscribe(int packetId, Props props, String... filters) {
        Bytes b = Bytes.packet(0xA2).u16(packetId).raw(props.block());
        for (String f : filters) {
            b.utf8(f);
        }
        return b.build();
    }

    /** PUBACK, PUBREC, PUBREL (first byte 0x62) or PUBCOMP with a reason code and no properties. */
    static byte[] ack(int firstByte, int packetId, int reasonCode) {
        return Bytes.packet(firstByte).u16(packetId).u8(reasonCode).build();
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

    static byte[] disconnect(int reasonCode, Props props) {
        return Bytes.packet(0xE0).u8(reasonCode).raw(props.block()).build();
    }

    static byte[] auth(int reasonCode, Props props) {
        return Bytes.packet(0xF0).u8(reasonCode).raw(props.block()).build();
    }
}
