package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static dev.tern.broker.spec.v5.V5Packets.WILL_QOS_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 3.1: CONNECT — Clean Start, Session Expiry Interval, wills, limits the client sets. */
class Section3_1_ConnectTest extends V5SpecTestBase {

    private static Props expiry(long seconds) {
        return Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, seconds);
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a PUBLISH before CONNECT closes the connection without a reply")
    void connectFirst() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(V5Packets.publish0("early", "x"));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] [MQTT-4.13.1-1] a second CONNECT gets DISCONNECT 0x82 (Protocol Error)")
    void secondConnect() throws IOException {
        MqttTestClient c = connect5("twice");
        c.raw().send(V5Packets.connect("twice"));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.2.2-2] Clean Start 1 discards the stored session: session present 0 "
            + "and its subscriptions are gone")
    void cleanStartDiscards() throws IOException {
        MqttTestClient first = connect5("cs", expiry(300));
        subscribe5(first, 1, Props.none(), "cs/t", 1, 1);
        first.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        MqttTestClient again = open5();
        ConnAck ack = connAck(again, V5Packets.connect("cs", CLEAN_START, 60, expiry(300)));
        assertThat(ack.sessionPresent()).isFalse();
        assertThat(broker().broker().sessionInfo("cs").join().orElseThrow().subscriptions()).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] [MQTT-3.1.2-23] [MQTT-3.2.2-3] Clean Start 0 with a Session Expiry Interval "
            + "resumes the session: present, subscriptions and queued messages kept")
    void cleanStart0Resumes() throws IOException {
        MqttTestClient first = connect5("keep", expiry(300));
        subscribe5(first, 1, Props.none(), "keep/t", 1, 1);
        first.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        connect5("pub").raw().send(V5Packets.publish(0x02, "keep/t", 1, Props.none(), "while away"));
        MqttTestClient again = open5();
        assertThat(connAck(again, V5Packets.connect("keep", 0, 60, expiry(300))).sessionPresent()).isTrue();
        assertPublish(nextPublish(again), "keep/t", "while away", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] [MQTT-3.1.2-23] Clean Start 0 without a stored session creates one (present 0); "
            + "without a Session Expiry Interval the session ends with the connection")
    void noSessionExpiryEndsSession() throws IOException {
        MqttTestClient c = open5();
        assertThat(connAck(c, V5Packets.connect("short", 0, 60, Props.none())).sessionPresent()).isFalse();
        c.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(0);
        MqttTestClient again = open5();
        assertThat(connAck(again, V5Packets.connect("short", 0, 60, Props.none())).sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-7] [MQTT-3.1.2-8] [MQTT-3.1.2-14] [MQTT-3.1.3-10] a will is published when the "
            + "connection closes without DISCONNECT, non-retained, with its properties and User Properties in order")
    void willPublished() throws IOException {
        MqttTestClient sub = subscriber5("sub", "will/#", 1);
        MqttTestClient c = open5();
        assertThat(connAck(c, V5Packets.connectWithWill("w", CLEAN_START | WILL_QOS_1, 60, Props.none(),
                Props.of().utf8(Props.CONTENT_TYPE, "text/plain").userProperty("a", "1").userProperty("b", "2")
                        .userProperty("a", "3"), "will/w", "gone")).reasonCode()).isZero();
        c.close();
        Publish p = nextPublish(sub);
        assertPublish(p, "will/w", "gone", QoS.AT_LEAST_ONCE, false);
        assertThat(p.properties().contentType()).isEqualTo("text/plain");
        // MQTT-3.1.3-10: User Properties keep their order.
        assertThat(p.properties().userProperties()).containsExactly(new UserProperty("a", "1"),
                new UserProperty("b", "2"), new UserProperty("a", "3"));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-15] a will with Will Retain 1 is published retained")
    void willRetained() throws IOException {
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("w", CLEAN_START | V5Packets.WILL_RETAIN, 60, Props.none(),
                Props.none(), "will/r", "kept"));
        c.close();
        awaitSessionCount(0);
        MqttTestClient late = connect5("late");
        subscribe5(late, 1, Props.none(), "will/r", 0, 0);
        assertPublish(nextPublish(late), "will/r", "kept", QoS.AT_MOST_ONCE, true);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.2-10] the Will Delay Interval holds the will back until it passes")
    void willDelay() throws IOException {
        MqttTestClient sub = subscriber5("sub", "will/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("d", CLEAN_START, 60, expiry(60),
                Props.of().u32(Props.WILL_DELAY_INTERVAL, 1), "will/d", "late"));
        long closed = System.nanoTime();
        c.close();
        assertThat(sub.raw().staysSilent(Duration.ofMillis(500))).as("no will before the delay").isTrue();
        assertPublish(nextPublish(sub), "will/d", "late", QoS.AT_MOST_ONCE, false);
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will is published when the session ends, if that comes before the Will Delay "
            + "Interval")
    void willAtSessionEnd() throws IOException {
        MqttTestClient sub = subscriber5("sub", "will/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("e", CLEAN_START, 60, Props.none(),
                Props.of().u32(Props.WILL_DELAY_INTERVAL, 3600), "will/e", "session over"));
        c.close();
        assertPublish(nextPublish(sub), "will/e", "session over", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] a reconnect to the session within the Will Delay Interval cancels the will")
    void reconnectCancelsWill() throws IOException {
        MqttTestClient sub = subscriber5("sub", "will/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("back", CLEAN_START, 60, expiry(60),
                Props.of().u32(Props.WILL_DELAY_INTERVAL, 1), "will/back", "should not appear"));
        c.close();
        awaitSessionCount(2);
        await(() -> !broker().broker().sessionInfo("back").join().orElseThrow().connected());
        MqttTestClient again = open5();
        assertThat(connAck(again, V5Packets.connect("back", 0, 60, expiry(60))).sessionPresent()).isTrue();
        assertThat(sub.raw().staysSilent(Duration.ofMillis(1500))).as("no will after a reconnect").isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] DISCONNECT 0x00 discards the will")
    void normalDisconnectDiscardsWill() throws IOException {
        MqttTestClient sub = subscriber5("sub", "will/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("n", CLEAN_START, 60, Props.none(), Props.none(), "will/n", "no"));
        c.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        assertNextPublishIsFence5(sub, connect5("pub"));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.2-16] [MQTT-3.1.2-19] MQTT 5.0 allows a password without a user name")
    void passwordWithoutUserName() throws IOException {
        MqttTestClient c = open5();
        c.raw().send(Bytes.packet(0x10).utf8("MQTT").u8(5).u8(CLEAN_START | V5Packets.PASSWORD).u16(60).u8(0)
                .utf8("pw").utf8("secret").build());
        assertThat(((ConnAck) c.receive(WAIT)).reasonCode()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-22] a client silent for 1.5 times its keep-alive gets DISCONNECT 0x8D")
    void keepAliveTimeout() throws IOException {
        MqttTestClient c = open5();
        connAck(c, V5Packets.connect("idle", CLEAN_START, 1, Props.none()));
        long start = System.nanoTime();
        assertDisconnect(c, ReasonCodes.KEEP_ALIVE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-28] Response Information only when requested; then the prefix and the client id")
    void responseInformation() throws IOException {
        assertThat(connAck(open5(), V5Packets.connect("none")).properties().responseInformation()).isNull();
        assertThat(connAck(open5(), V5Packets.connect("zero", CLEAN_START, 60,
                Props.of().u8(Props.REQUEST_RESPONSE_INFORMATION, 0))).properties().responseInformation()).isNull();
        assertThat(connAck(open5(), V5Packets.connect("asks", CLEAN_START, 60,
                Props.of().u8(Props.REQUEST_RESPONSE_INFORMATION, 1))).properties().responseInformation())
                .isEqualTo("response/asks");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-29] Request Problem Information 0: no Reason String on a PUBACK; 1 (the default): "
            + "a Reason String")
    void requestProblemInformation() throws IOException {
        MqttTestClient quiet = connect5("quiet", Props.of().u8(Props.REQUEST_PROBLEM_INFORMATION, 0));
        quiet.raw().send(V5Packets.publish(0x02, "$SYS/x", 1, Props.none(), "x"));
        assertNextBytes(quiet, Bytes.of(0x40, 0x03, 0x00, 0x01, 0x87)); // PUBACK 0x87, no properties
        MqttTestClient chatty = connect5("chatty");
        chatty.raw().send(V5Packets.publish(0x02, "$SYS/x", 1, Props.none(), "x"));
        PubAck ack = chatty.expect(PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
        assertThat(ack.properties().reasonString()).contains("$SYS");
    }

    @Test
    @DisplayName("[MQTT-3.1.3-5] client ids of 1 to 23 characters 0-9a-zA-Z are accepted, and longer ones too")
    void clientIds() throws IOException {
        assertThat(connAck(open5(), V5Packets.connect("abcdefghijklmnopqrstuvw")).reasonCode()).isZero();
        assertThat(connAck(open5(), V5Packets.connect("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")).reasonCode())
                .isZero();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] [MQTT-3.1.4-4] a second connection with the same client id takes the session "
            + "over: the first gets DISCONNECT 0x8E")
    void takeOver() throws IOException {
        MqttTestClient first = connect5("dup");
        MqttTestClient second = connect5("dup");
        assertDisconnect(first, ReasonCodes.SESSION_TAKEN_OVER);
        assertAlive(second);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-6] [MQTT-3.1.4-2] after a refused CONNECT nothing the client sent is processed")
    void nothingAfterRefusal() throws IOException {
        startBroker(b -> b.allowZeroLengthClientId(false));
        MqttTestClient sub = subscriber5("sub", "after/#", 0);
        MqttTestClient c = open5();
        c.raw().send(Bytes.concat(V5Packets.connect(""), V5Packets.publish(0x01, "after/x", 0, Props.none(), "no")));
        assertConnAckRefusal(c, ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID);
        assertNextPublishIsFence5(sub, connect5("pub"));
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(condition);
    }
}
