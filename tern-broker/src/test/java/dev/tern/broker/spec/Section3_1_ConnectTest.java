package dev.tern.broker.spec;

import static dev.tern.broker.spec.Packets.CLEAN;
import static dev.tern.broker.spec.Packets.PASSWORD;
import static dev.tern.broker.spec.Packets.USERNAME;
import static dev.tern.broker.spec.Packets.WILL;
import static dev.tern.broker.spec.Packets.WILL_QOS_1;
import static dev.tern.broker.spec.Packets.WILL_QOS_2;
import static dev.tern.broker.spec.Packets.WILL_RETAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.Will;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 3.1: CONNECT. */
class Section3_1_ConnectTest extends SpecTestBase {

    // ---- 3.1.0 First packet ------------------------------------------------------------------

    static Stream<Arguments> packetsOtherThanConnect() {
        return Stream.of(
                Arguments.of("PUBLISH", Packets.publish0("a", "x")),
                Arguments.of("SUBSCRIBE", Packets.subscribe(1, "a", 0)),
                Arguments.of("UNSUBSCRIBE", Packets.unsubscribe(1, "a")),
                Arguments.of("PINGREQ", Packets.PINGREQ),
                Arguments.of("PUBACK", Packets.puback(1)),
                Arguments.of("PUBREL", Packets.pubrel(1)),
                Arguments.of("DISCONNECT", Packets.DISCONNECT));
    }

    @ParameterizedTest(name = "[MQTT-3.1.0-1] {0} as the first packet closes the connection without a reply")
    @MethodSource("packetsOtherThanConnect")
    void firstPacketMustBeConnect(String name, byte[] packet) throws IOException {
        MqttTestClient c = open();
        c.raw().send(packet);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a PUBLISH sent before CONNECT is not delivered to subscribers")
    void publishBeforeConnectIsNotRouted() throws IOException {
        MqttTestClient sub = subscriber("sub", "early", QoS.AT_LEAST_ONCE);
        MqttTestClient early = open();
        early.raw().send(Packets.publish(0x02, "early", 1, "too soon"));
        assertClosedWithoutReply(early);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] [MQTT-3.1.2-8] a second CONNECT is a protocol violation: the connection is closed "
            + "and its will is published")
    void secondConnectClosesConnection() throws IOException {
        MqttTestClient sub = subscriber("sub", "will/second", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("twice", 60, "will/second", "gone", QoS.AT_MOST_ONCE, false);
        c.raw().send(Packets.connect("twice"));
        assertClosedWithoutReply(c);
        assertPublish(nextPublish(sub), "will/second", "gone", QoS.AT_MOST_ONCE, false);
    }

    // ---- 3.1.2.1 / 3.1.2.2 Protocol name and level ----------------------------------------

    @ParameterizedTest(name = "[MQTT-3.1.2-1] protocol name \"{0}\" closes the connection without CONNACK")
    @ValueSource(strings = {"MQTX", "mqtt", "MQT", "MQTTT", "", "MQIsdP"})
    void wrongProtocolNameCloses(String protocolName) throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader(protocolName, 4, CLEAN, 60).utf8("c").build());
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-3.1.2-2] [MQTT-3.2.2-4] [MQTT-3.2.2-5] protocol level {0} gets CONNACK 0x01 "
            + "with session present 0, then the connection is closed")
    @ValueSource(ints = {0, 1, 2, 3, 6, 7, 0x7F, 0x83, 0x84, 0xFF}) // 0x83/0x84: Mosquitto's bridge levels
    void unsupportedProtocolLevel(int level) throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", level, CLEAN, 60).utf8("c").build());
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x01));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] [MQTT-3.1.4-5] data sent after a CONNECT refused for its protocol level is not "
            + "processed")
    void nothingProcessedAfterUnsupportedLevel() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Bytes.concat(
                Packets.connectHeader("MQTT", 6, CLEAN, 60).utf8("c").build(),
                Packets.publish(0x01, "level/retained", 0, "must not be stored")));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x01));
        assertNoRetainedMessage("level/retained");
    }

    // ---- 3.1.2.3 Reserved flag -------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-3] a CONNECT with the reserved flag set closes the connection without CONNACK")
    void reservedFlagCloses() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect("reserved", CLEAN | 0x01, 60));
        assertClosedWithoutReply(c);
    }

    // ---- 3.1.2.4 Clean session -------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.4-3] with clean session 0 the session, and so the subscription, is "
            + "resumed on reconnect")
    void cleanSession0ResumesSession() throws IOException {
        MqttTestClient first = connectPersistent("resume", false);
        first.subscribe("resume/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        MqttTestClient again = connectPersistent("resume", true);
        connect("pub").publish("resume/t", "still subscribed", QoS.AT_LEAST_ONCE, false);
        Publish p = nextPublish(again);
        assertPublish(p, "resume/t", "still subscribed", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-5] QoS 1 and QoS 2 messages published while a clean session 0 client "
            + "is offline are delivered when it reconnects")
    void messagesStoredWhileOffline() throws IOException {
        MqttTestClient first = connectPersistent("offline", false);
        first.subscribe("offline/#", QoS.EXACTLY_ONCE);
        first.disconnect();
        awaitSessionCount(1);
        MqttTestClient pub = connect("pub");
        pub.publish("offline/1", "one", QoS.AT_LEAST_ONCE, false);
        pub.publish("offline/2", "two", QoS.EXACTLY_ONCE, false);
        MqttTestClient again = connectPersistent("offline", true);
        assertPublish(nextPublish(again), "offline/1", "one", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(again), "offline/2", "two", QoS.EXACTLY_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] [MQTT-3.1.4-3] clean session 1 discards the previous session, and its state is not "
            + "reused afterwards")
    void cleanSession1DiscardsSession() throws IOException {
        MqttTestClient persistent = connectPersistent("discard", false);
        persistent.subscribe("discard/t", QoS.AT_LEAST_ONCE);
        persistent.disconnect();

        MqttTestClient clean = open();
        assertThat(clean.connect("discard", true, 60, null).sessionPresent()).isFalse();
        clean.subscribe(FENCE, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("discard/t", "old subscription", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(clean, pub);
        clean.disconnect();

        // The clean session ended with its connection; nothing of it (or before it) is resumed.
        MqttTestClient later = connectPersistent("discard", false);
        later.subscribe(FENCE, QoS.AT_MOST_ONCE);
        pub.publish("discard/t", "still nothing", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(later, pub);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-7] retained messages are not deleted when the session that published them ends")
    void retainedOutlivesSession() throws IOException {
        MqttTestClient pub = connect("retainer");
        pub.publish("keep/r", "kept", QoS.AT_LEAST_ONCE, true);
        pub.disconnect();
        awaitSessionCount(0);
        MqttTestClient sub = connect("late");
        sub.subscribe("keep/r", QoS.AT_LEAST_ONCE);
        assertPublish(nextPublish(sub), "keep/r", "kept", QoS.AT_LEAST_ONCE, true);
    }

    // ---- 3.1.2.5 - 3.1.2.7 Will ------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will message is published when the connection closes without DISCONNECT")
    void willPublishedOnAbnormalClose() throws IOException {
        MqttTestClient sub = subscriber("sub", "will/+", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("dies", 60, "will/dies", "bye", QoS.AT_MOST_ONCE, false);
        c.close();
        assertPublish(nextPublish(sub), "will/dies", "bye", QoS.AT_MOST_ONCE, false);
        // [MQTT-3.1.2-10]: published once, then removed.
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    @ParameterizedTest(name = "[MQTT-3.1.2-9] will QoS {0} is used when the will is published")
    @ValueSource(ints = {0, 1, 2})
    void willQosHonoured(int qos) throws IOException {
        MqttTestClient sub = subscriber("sub", "will/qos", QoS.EXACTLY_ONCE);
        MqttTestClient c = connectWithWill("dies", 60, "will/qos", "q" + qos, QoS.of(qos), false);
        c.close();
        assertPublish(nextPublish(sub), "will/qos", "q" + qos, QoS.of(qos), false);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] [MQTT-3.1.4-1] will flag 1 without will topic and message in the payload closes "
            + "the connection without CONNACK")
    void willFlagWithoutWillFields() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect("nowill", CLEAN | WILL, 60));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] the will is discarded, not published, after a DISCONNECT")
    void willNotPublishedAfterDisconnect() throws IOException {
        MqttTestClient sub = subscriber("sub", "will/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("polite", 60, "will/polite", "bye", QoS.AT_MOST_ONCE, false);
        c.disconnect();
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    static Stream<Arguments> willFieldsWithoutWillFlag() {
        return Stream.of(
                Arguments.of("[MQTT-3.1.2-11] [MQTT-3.1.2-13] will QoS 1", WILL_QOS_1),
                Arguments.of("[MQTT-3.1.2-11] [MQTT-3.1.2-13] will QoS 2", WILL_QOS_2),
                Arguments.of("[MQTT-3.1.2-11] [MQTT-3.1.2-15] will retain", WILL_RETAIN));
    }

    @ParameterizedTest(name = "{0} set without the will flag closes the connection without CONNACK")
    @MethodSource("willFieldsWithoutWillFlag")
    void willBitsWithoutWillFlag(String what, int flag) throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect("bits", CLEAN | flag, 60));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-11] [MQTT-3.1.4-1] will topic and message present without the will flag close the "
            + "connection without CONNACK")
    void willFieldsPresentWithoutWillFlag() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN, 60).utf8("c").utf8("will/t").utf8("msg").build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-12] without the will flag nothing is published when the connection closes abnormally")
    void noWillFlagNoWill() throws IOException {
        MqttTestClient sub = subscriber("sub", "#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connect("nowill");
        c.close();
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-14] will QoS 3 closes the connection without CONNACK")
    void willQos3Closes() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectWithWill("q3", CLEAN | WILL_QOS_1 | WILL_QOS_2, 60, "will/t", "m"));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-16] will retain 0: the will is published as a non-retained message")
    void willRetain0() throws IOException {
        MqttTestClient sub = subscriber("sub", "will/nr", QoS.AT_MOST_ONCE);
        connectWithWill("dies", 60, "will/nr", "not kept", QoS.AT_MOST_ONCE, false).close();
        assertPublish(nextPublish(sub), "will/nr", "not kept", QoS.AT_MOST_ONCE, false);
        assertNoRetainedMessage("will/nr");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-17] will retain 1: the will is published as a retained message")
    void willRetain1() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectWithWill("dies", CLEAN | WILL_QOS_1 | WILL_RETAIN, 60, "will/r", "kept"));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        c.close();
        awaitSessionCount(0);
        MqttTestClient late = connect("late");
        late.subscribe("will/r", QoS.EXACTLY_ONCE);
        assertPublish(nextPublish(late), "will/r", "kept", QoS.AT_LEAST_ONCE, true);
    }

    // ---- 3.1.2.8 / 3.1.2.9 User name and password ------------------------------------------

    static Stream<Arguments> badCredentialFields() {
        return Stream.of(
                Arguments.of("[MQTT-3.1.2-18] user name present with user name flag 0",
                        Packets.connectHeader("MQTT", 4, CLEAN, 60).utf8("c").utf8("user").build()),
                Arguments.of("[MQTT-3.1.2-19] user name flag 1 without a user name",
                        Packets.connectHeader("MQTT", 4, CLEAN | USERNAME, 60).utf8("c").build()),
                Arguments.of("[MQTT-3.1.2-20] password present with password flag 0",
                        Packets.connectHeader("MQTT", 4, CLEAN | USERNAME, 60).utf8("c").utf8("user").utf8("pw")
                                .build()),
                Arguments.of("[MQTT-3.1.2-21] password flag 1 without a password",
                        Packets.connectHeader("MQTT", 4, CLEAN | USERNAME | PASSWORD, 60).utf8("c").utf8("user")
                                .build()),
                Arguments.of("[MQTT-3.1.2-22] password flag 1 with user name flag 0",
                        Packets.connectHeader("MQTT", 4, CLEAN | PASSWORD, 60).utf8("c").utf8("pw").build()));
    }

    @ParameterizedTest(name = "{0} closes the connection without CONNACK")
    @MethodSource("badCredentialFields")
    void credentialFlagsMustMatchPayload(String what, byte[] connect) throws IOException {
        MqttTestClient c = open();
        c.raw().send(connect);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.2-21] [MQTT-3.1.3-1] client id, will topic, will message, user name and "
            + "password are read in this order")
    void payloadFieldOrder() throws IOException {
        MqttTestClient sub = subscriber("sub", "order/will", QoS.AT_MOST_ONCE);
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN | WILL | USERNAME | PASSWORD, 60)
                .utf8("ordered").utf8("order/will").utf8("will payload").utf8("user").utf8("secret").build());
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        c.close();
        assertPublish(nextPublish(sub), "order/will", "will payload", QoS.AT_MOST_ONCE, false);
    }

    // ---- 3.1.2.10 Keep alive ---------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-8] keep-alive 1 s: silence for 1.5 s closes the connection (not "
            + "earlier) and publishes the will; keep-alive 0 never times out")
    void keepAliveTimeout() throws IOException {
        MqttTestClient sub = subscriber("sub", "will/idle", QoS.AT_MOST_ONCE);
        MqttTestClient noKeepAlive = open();
        assertThat(noKeepAlive.connect("forever", true, 0, null).reasonCode()).isZero();
        MqttTestClient idle = open();
        long start = System.nanoTime(); // before CONNECT: the server cannot start its timer earlier
        Will will = new Will("will/idle", Packets.utf8("timed out"), QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY);
        assertThat(idle.connect("idle", true, 1, will).reasonCode()).isZero();
        assertClosedWithoutReply(idle);
        long closedAfterMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(closedAfterMillis).as("ms until the server closed an idle keep-alive 1 s connection")
                .isBetween(1_450L, 5_000L);
        assertPublish(nextPublish(sub), "will/idle", "timed out", QoS.AT_MOST_ONCE, false);
        assertAlive(noKeepAlive);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] any control packet within 1.5 x keep-alive keeps the connection open")
    void keepAliveResetByPackets() throws IOException, InterruptedException {
        MqttTestClient c = open();
        assertThat(c.connect("busy", true, 1, null).reasonCode()).isZero();
        for (int i = 0; i < 3; i++) {
            Thread.sleep(700); // pacing the client: 2.1 s in all, each gap well inside 1.5 s
            if (i == 1) {
                c.raw().send(Packets.publish0("busy/t", "any packet counts"));
            } else {
                assertAlive(c);
            }
        }
        assertAlive(c);
    }

    // ---- 3.1.3 Payload: client identifier --------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.1.3-2] the client id identifies the session: each id resumes its own subscriptions")
    void clientIdIdentifiesSession() throws IOException {
        MqttTestClient a = connectPersistent("idA", false);
        a.subscribe("ids/a", QoS.AT_LEAST_ONCE);
        MqttTestClient b = connectPersistent("idB", false);
        b.subscribe("ids/b", QoS.AT_LEAST_ONCE);
        a.disconnect();
        b.disconnect();
        MqttTestClient a2 = connectPersistent("idA", true);
        a2.subscribe(FENCE, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("ids/b", "for B", QoS.AT_LEAST_ONCE, false);
        pub.publish("ids/a", "for A", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(a2), "ids/a", "for A", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(a2, pub);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-3] [MQTT-3.1.4-1] a CONNECT without a client id field closes the connection without "
            + "CONNACK")
    void missingClientId() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN, 60).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-4] [MQTT-1.5.3-1] a client id that is not well-formed UTF-8 closes the connection "
            + "without CONNACK")
    void clientIdNotUtf8() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN, 60).string(Bytes.of('a', 0xC3, 0x28)).build());
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-3.1.3-5] client id \"{0}\" (1 to 23 alphanumerics) is accepted")
    @ValueSource(strings = {"a", "Z", "0", "0123456789abcdefghijklm", "nopqrstuvwxyzABCDEFGHIJ", "KLMNOPQRSTUVWXYZ"})
    void alphanumericClientIdsAccepted(String clientId) throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect(clientId));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        assertAlive(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] an empty client id with clean session 1 is accepted and gets a unique id of its own")
    void emptyClientIdAssigned() throws IOException {
        MqttTestClient a = open();
        a.raw().send(Packets.connect("", CLEAN, 60));
        assertNextBytes(a, Packets.CONNACK_ACCEPTED);
        MqttTestClient b = open();
        b.raw().send(Packets.connect("", CLEAN, 60));
        assertNextBytes(b, Packets.CONNACK_ACCEPTED);
        // Distinct ids: the second connection did not take over the first.
        assertAlive(a);
        assertAlive(b);
        assertThat(a.subscribe("anon/t", QoS.AT_LEAST_ONCE).reasonCodes()).containsExactly(1);
        b.publish("anon/t", "between anonymous clients", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(a), "anon/t", "between anonymous clients", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-7] [MQTT-3.1.3-8] [MQTT-3.2.2-4] an empty client id with clean session 0 gets CONNACK "
            + "0x02 with session present 0, then the connection is closed")
    void emptyClientIdPersistentRejected() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect("", 0, 60));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x02));
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] a client id the server rejects (empty, zero-length ids disabled) gets CONNACK 0x02, "
            + "then the connection is closed")
    void rejectedClientId() throws IOException {
        startBroker(b -> b.allowZeroLengthClientId(false));
        MqttTestClient c = open();
        c.raw().send(Packets.connect("", CLEAN, 60));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x02));
    }

    @Test
    @DisplayName("[MQTT-3.1.3-10] [MQTT-1.5.3-1] a will topic that is not well-formed UTF-8 closes the connection "
            + "without CONNACK")
    void willTopicNotUtf8() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN | WILL, 60).utf8("c")
                .string(Bytes.of('w', 0xED, 0xA0, 0x80)).utf8("m").build());
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-3.1.3-10] [MQTT-4.7.1-1] will topic \"{0}\" (wildcard or empty) closes the "
            + "connection without CONNACK")
    @ValueSource(strings = {"will/#", "will/+", "+", ""})
    void willTopicMustBeValidTopicName(String topic) throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectWithWill("c", CLEAN, 60, topic, "m"));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-11] [MQTT-1.5.3-1] a user name that is not well-formed UTF-8 closes the connection "
            + "without CONNACK")
    void userNameNotUtf8() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN | USERNAME, 60).utf8("c")
                .string(Bytes.of('u', 0xFF)).build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-19] [MQTT-3.1.2-21] a password may be any binary data")
    void binaryPasswordAccepted() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN | USERNAME | PASSWORD, 60).utf8("c").utf8("user")
                .string(Bytes.of(0x00, 0xFF, 0xC3, 0x28)).build());
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
    }

    // ---- 3.1.4 Response --------------------------------------------------------------------

    static Stream<Arguments> nonConformingConnects() {
        byte[] valid = Packets.connect("c");
        return Stream.of(
                Arguments.of("trailing bytes after the payload",
                        Packets.connectHeader("MQTT", 4, CLEAN, 60).utf8("c").u8(0x00).build()),
                Arguments.of("client id longer than the packet",
                        Packets.connectHeader("MQTT", 4, CLEAN, 60).u16(10).payload("abc").build()),
                Arguments.of("packet ends inside the keep-alive",
                        Bytes.packet(0x10).utf8("MQTT").u8(4).u8(CLEAN).u8(0).build()),
                Arguments.of("CONNECT with fixed header flags 0x1",
                        Bytes.concat(Bytes.of(0x11), Arrays.copyOfRange(valid, 1, valid.length))));
    }

    @ParameterizedTest(name = "[MQTT-3.1.4-1] a CONNECT with {0} closes the connection without CONNACK")
    @MethodSource("nonConformingConnects")
    void nonConformingConnectCloses(String what, byte[] connect) throws IOException {
        MqttTestClient c = open();
        c.raw().send(connect);
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a CONNECT with the client id of a connected client closes the existing connection")
    void takeOver() throws IOException {
        MqttTestClient first = connectPersistent("same", false);
        first.subscribe("takeover/t", QoS.AT_LEAST_ONCE);
        MqttTestClient second = connectPersistent("same", true);
        assertClosedWithoutReply(first);
        connect("pub").publish("takeover/t", "to the new connection", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(second), "takeover/t", "to the new connection", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-4] [MQTT-3.2.0-1] an accepted CONNECT is answered with CONNACK return code 0 as the "
            + "first packet")
    void acceptedConnAck() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Bytes.concat(Packets.connect("ok"), Packets.PINGREQ));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
        assertNextBytes(c, Packets.PINGRESP);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-5] [MQTT-3.1.3-8] packets sent after a refused CONNECT are not processed")
    void nothingProcessedAfterRefusedConnect() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Bytes.concat(
                Packets.connect("", 0, 60),
                Packets.publish(0x03, "refused/retained", 1, "must not be stored"),
                Packets.PINGREQ));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x02));
        assertNoRetainedMessage("refused/retained");
    }

    @Test
    @DisplayName("[3.1.4] [MQTT-4.8.0-1] a connection that sends no CONNECT is closed after the connect timeout")
    void connectTimeout() throws IOException {
        startBroker(b -> b.connectTimeout(Duration.ofSeconds(1)));
        MqttTestClient c = open();
        long start = System.nanoTime();
        assertClosedWithoutReply(c);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(700L, 4_000L);
    }

    /** Subscribes a fresh client to the topic and asserts that no retained message arrives before a fence. */
    private void assertNoRetainedMessage(String topic) throws IOException {
        MqttTestClient probe = subscriber("probe-" + Math.abs(topic.hashCode()), topic, QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(probe, probe);
    }
}
