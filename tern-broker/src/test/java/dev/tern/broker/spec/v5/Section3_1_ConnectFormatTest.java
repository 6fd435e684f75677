package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 sections 3.1.2 to 3.1.4 and 3.2.0: the format of CONNECT and what the broker checks in it. */
class Section3_1_ConnectFormatTest extends V5SpecTestBase {

    private static Bytes header(int flags) {
        return Bytes.packet(0x10).utf8("MQTT").u8(5).u8(flags).u16(60).u8(0);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-1] [MQTT-3.1.4-1] a protocol name other than MQTT closes the connection")
    void protocolName() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(Bytes.packet(0x10).utf8("MQTX").u8(5).u8(CLEAN_START).u16(60).u8(0).utf8("c").build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] protocol level 6 is refused with CONNACK 0x01 (the 3.1.1 form, as the level is "
            + "unknown) and closed")
    void protocolLevel() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(Bytes.packet(0x10).utf8("MQTT").u8(6).u8(CLEAN_START).u16(60).u8(0).utf8("c").build());
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x01));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-3] the reserved CONNECT flag set is malformed: CONNACK 0x81, closed")
    void reservedFlag() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(header(CLEAN_START | 0x01).utf8("c").build());
        assertConnAckRefusal(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-11] [MQTT-3.1.2-13] will QoS or will retain without the will flag: CONNACK 0x81, "
            + "closed")
    void willBitsWithoutWill() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(header(CLEAN_START | V5Packets.WILL_QOS_1).utf8("c").build());
        assertConnAckRefusal(c, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient d = open5();
        d.raw().send(header(CLEAN_START | V5Packets.WILL_RETAIN).utf8("d").build());
        assertConnAckRefusal(d, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-12] will QoS 3 is malformed (CONNACK 0x81); will QoS 2 is accepted")
    void willQos() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.connectWithWill("c", CLEAN_START | 0x18, 60, Props.none(), Props.none(), "w", "x"));
        assertConnAckRefusal(c, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient d = open5();
        assertThat(connAck(d, V5Packets.connectWithWill("d", CLEAN_START | V5Packets.WILL_QOS_2, 60, Props.none(),
                Props.none(), "w", "x")).reasonCode()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-17] [MQTT-3.1.2-18] [MQTT-3.1.3-12] the user name flag and the user name must agree; "
            + "a user name that is not UTF-8 is malformed (CONNACK 0x81)")
    void userName() throws IOException {
        MqttTestClient missing = open5();
        missing.raw().send(header(CLEAN_START | V5Packets.USERNAME).utf8("c").build());
        assertConnAckRefusal(missing, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient extra = open5();
        extra.raw().send(header(CLEAN_START).utf8("c").utf8("unexpected").build());
        assertConnAckRefusal(extra, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient bad = open5();
        bad.raw().send(header(CLEAN_START | V5Packets.USERNAME).utf8("c").string(new byte[] {(byte) 0xFF}).build());
        assertConnAckRefusal(bad, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient ok = open5();
        ok.raw().send(header(CLEAN_START | V5Packets.USERNAME).utf8("c").utf8("user").build());
        assertThat(((ConnAck) ok.receive(WAIT)).reasonCode()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.1.3-1] [MQTT-3.1.3-3] [MQTT-3.1.4-5] payload order client id, will properties, will topic, "
            + "will payload, user name, password: accepted with CONNACK 0x00")
    void payloadOrder() throws IOException {
        MqttTestClient sub = subscriber5("sub", "order/#", 0);
        MqttTestClient c = open5();
        c.raw().send(header(CLEAN_START | V5Packets.WILL | V5Packets.USERNAME | V5Packets.PASSWORD).utf8("ordered")
                .raw(Props.none().block()).utf8("order/will").utf8("bye").utf8("user").utf8("pw").build());
        assertThat(((ConnAck) c.receive(WAIT)).reasonCode()).isZero();
        c.close();
        assertPublish(nextPublish(sub), "order/will", "bye", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-3] [MQTT-3.1.3-4] a CONNECT without a client id, or with one that is not UTF-8, "
            + "is malformed: CONNACK 0x81, closed")
    void clientIdPresentAndUtf8() throws IOException {
        MqttTestClient none = open5();
        none.raw().send(header(CLEAN_START).build());
        assertConnAckRefusal(none, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient bad = open5();
        bad.raw().send(header(CLEAN_START).string(new byte[] {(byte) 0xC3}).build());
        assertConnAckRefusal(bad, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-2] the client id names the session: another id gets another session")
    void clientIdNamesSession() throws IOException {
        Props keep = Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60);
        MqttTestClient a = connect5("one", keep);
        subscribe5(a, 1, Props.none(), "s/#", 0, 0);
        a.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        assertThat(connAck(open5(), V5Packets.connect("two", 0, 60, keep)).sessionPresent()).isFalse();
        assertThat(connAck(open5(), V5Packets.connect("one", 0, 60, keep)).sessionPresent()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.0-1] [MQTT-3.2.0-2] CONNACK is the first packet, before messages queued for the session")
    void connAckFirst() throws IOException {
        Props keep = Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60);
        MqttTestClient a = connect5("q", keep);
        subscribe5(a, 1, Props.none(), "q/#", 1, 1);
        a.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        connect5("pub").raw().send(V5Packets.publish(0x02, "q/a", 1, Props.none(), "waiting"));
        MqttTestClient again = open5();
        again.raw().send(V5Packets.connect("q", 0, 60, keep));
        assertThat(next(again)[0] & 0xFF).isEqualTo(0x20);
        assertThat(nextPublish(again).topic()).isEqualTo("q/a");
    }
}
