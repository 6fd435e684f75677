package dev.tern.broker.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 3.3: PUBLISH flags, retained messages, topic name, response and actions. */
class Section3_3_PublishTest extends SpecTestBase {

    // ---- 3.3.1.2 DUP -----------------------------------------------------------------------

    @ParameterizedTest(name = "[MQTT-3.3.1-3] DUP=1 on an incoming QoS {0} PUBLISH is not propagated to subscribers")
    @ValueSource(ints = {1, 2})
    void dupNotPropagated(int qos) throws IOException {
        MqttTestClient sub = subscriber("sub", "dup/t", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.raw().send(Packets.publish(0x08 | qos << 1, "dup/t", 7, "resent by the publisher"));
        if (qos == 2) { // complete the flow: a server may deliver a QoS 2 message only on PUBREL (method A)
            assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 7));
            pub.raw().send(Packets.pubrel(7));
        }
        byte[] delivered = next(sub);
        assertThat(delivered[0] & 0x08).as("DUP bit of the delivered PUBLISH").isZero();
        assertThat(delivered[0] & 0x06).as("QoS bits").isEqualTo(qos << 1);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-2] [MQTT-4.3.1-1] the server sends QoS 0 messages with DUP=0 and QoS 0")
    void qos0SentWithDup0() throws IOException {
        MqttTestClient sub = subscriber("sub", "q0/t", QoS.EXACTLY_ONCE);
        connect("pub").raw().send(Packets.publish0("q0/t", "hi"));
        assertNextBytes(sub, Bytes.packet(0x30).utf8("q0/t").payload("hi").build());
    }

    @Test
    @DisplayName("[MQTT-3.3.1-2] [MQTT-4.8.0-1] an incoming QoS 0 PUBLISH with DUP=1 closes the connection")
    void qos0WithDupCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x08, "dup/q0", 0, "x"));
        assertClosedWithoutReply(c);
    }

    // ---- 3.3.1.3 QoS -----------------------------------------------------------------------

    @ParameterizedTest(name = "[MQTT-3.3.1-4] a PUBLISH with both QoS bits set (flags 0x{0}) closes the connection")
    @ValueSource(strings = {"6", "7", "e", "f"})
    void qos3Closes(String flagsHex) throws IOException {
        MqttTestClient sub = subscriber("sub", "q3/t", QoS.EXACTLY_ONCE);
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(Integer.parseInt(flagsHex, 16), "q3/t", 1, "x"));
        assertClosedWithoutReply(c);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    // ---- 3.3.1.3 RETAIN --------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-8] a retained message is stored with its QoS and sent with RETAIN=1 to "
            + "new subscribers, at the lower of its QoS and the granted QoS")
    void retainedStoredWithQos() throws IOException {
        connect("pub").publish("ret/q1", "stored", QoS.AT_LEAST_ONCE, true);
        MqttTestClient high = connect("high");
        high.subscribe("ret/q1", QoS.EXACTLY_ONCE);
        assertPublish(nextPublish(high), "ret/q1", "stored", QoS.AT_LEAST_ONCE, true);
        MqttTestClient low = connect("low");
        low.subscribe("ret/q1", QoS.AT_MOST_ONCE);
        assertPublish(nextPublish(low), "ret/q1", "stored", QoS.AT_MOST_ONCE, true);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-6] a new subscription receives the last retained message of every matching topic")
    void retainedForEveryMatchingTopic() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("multi/a", "first a", QoS.AT_LEAST_ONCE, true);
        pub.publish("multi/a", "last a", QoS.AT_LEAST_ONCE, true);
        pub.publish("multi/b", "last b", QoS.AT_LEAST_ONCE, true);
        pub.publish("multi/c/deeper", "not matched by +", QoS.AT_LEAST_ONCE, true);
        pub.publish("other/x", "not matched", QoS.AT_LEAST_ONCE, true);
        MqttTestClient sub = subscriber("sub", "multi/+", QoS.AT_LEAST_ONCE);
        Map<String, String> got = new TreeMap<>();
        for (int i = 0; i < 2; i++) {
            Publish p = nextPublish(sub);
            assertThat(p.retain()).isTrue();
            got.put(p.topic(), MqttTestClient.text(p));
        }
        assertThat(got).containsExactly(Map.entry("multi/a", "last a"), Map.entry("multi/b", "last b"));
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-7] a retained QoS 0 message replaces the previously retained message")
    void qos0RetainedReplaces() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("ret/zero", "qos 2 original", QoS.EXACTLY_ONCE, true);
        pub.publish("ret/zero", "qos 0 replacement", QoS.AT_MOST_ONCE, true);
        MqttTestClient sub = subscriber("sub", "ret/zero", QoS.EXACTLY_ONCE);
        assertPublish(nextPublish(sub), "ret/zero", "qos 0 replacement", QoS.AT_MOST_ONCE, true);
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] a retained message is sent with RETAIN=0 to already established subscriptions")
    void retainFlagClearedForEstablishedSubscriptions() throws IOException {
        MqttTestClient sub = subscriber("sub", "ret/live", QoS.AT_LEAST_ONCE);
        connect("pub").publish("ret/live", "live", QoS.AT_LEAST_ONCE, true);
        byte[] raw = next(sub);
        assertThat(raw[0] & 0x01).as("RETAIN bit").isZero();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-10] a retained PUBLISH with an empty payload is delivered normally and removes the "
            + "retained message")
    void emptyRetainedDeletes() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("ret/del", "to be deleted", QoS.AT_LEAST_ONCE, true);
        MqttTestClient live = subscriber("live", "ret/del", QoS.AT_LEAST_ONCE);
        assertPublish(nextPublish(live), "ret/del", "to be deleted", QoS.AT_LEAST_ONCE, true);
        pub.publish("ret/del", "", QoS.AT_LEAST_ONCE, true);
        assertPublish(nextPublish(live), "ret/del", "", QoS.AT_LEAST_ONCE, false);
        MqttTestClient later = subscriber("later", "ret/del", QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(later, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-11] a retained PUBLISH with an empty payload is not stored")
    void emptyRetainedNotStored() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("ret/empty", "", QoS.AT_LEAST_ONCE, true);
        MqttTestClient sub = subscriber("sub", "ret/#", QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(sub, pub);
        assertThat(broker().broker().retainedCount()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] a PUBLISH with RETAIN=0 is not stored and does not replace or remove the retained "
            + "message")
    void nonRetainedLeavesRetainedAlone() throws IOException {
        MqttTestClient pub = connect("pub");
        pub.publish("ret/keep", "retained", QoS.AT_LEAST_ONCE, true);
        pub.publish("ret/keep", "not retained", QoS.AT_LEAST_ONCE, false);
        pub.publish("ret/keep", "", QoS.AT_LEAST_ONCE, false);
        pub.publish("ret/other", "not retained either", QoS.AT_LEAST_ONCE, false);
        MqttTestClient sub = subscriber("sub", "ret/+", QoS.AT_LEAST_ONCE);
        assertPublish(nextPublish(sub), "ret/keep", "retained", QoS.AT_LEAST_ONCE, true);
        assertNextPublishIsFence(sub, pub);
    }

    // ---- 3.3.2 Variable header -------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.2-1] [MQTT-1.5.3-1] a topic name that is not well-formed UTF-8 closes the connection")
    void topicNameNotUtf8() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x30).string(Bytes.of('a', 0xE2, 0x82)).payload("x").build());
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-1] a PUBLISH too short to hold its topic name closes the connection")
    void topicNameTruncated() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.packet(0x30).u16(20).payload("short").build());
        assertClosedWithoutReply(c);
    }

    @ParameterizedTest(name = "[MQTT-3.3.2-2] [MQTT-4.7.1-1] topic name \"{0}\" with a wildcard closes the connection")
    @ValueSource(strings = {"#", "+", "a/#", "a/+", "a/+/b", "a#", "a+b"})
    void wildcardInTopicNameCloses(String topic) throws IOException {
        MqttTestClient sub = subscriber("sub", "#", QoS.AT_LEAST_ONCE);
        MqttTestClient c = connect("c");
        c.raw().send(Packets.publish(0x02, topic, 1, "x"));
        assertClosedWithoutReply(c);
        assertNextPublishIsFence(sub, connect("pub"));
    }

    @Test
    @DisplayName("[MQTT-3.3.2-3] the topic name sent to a subscriber is the published name and matches its filter")
    void deliveredTopicNameMatchesFilter() throws IOException {
        MqttTestClient sub = subscriber("sub", "sensors/+/temp", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("sensors/kitchen/humidity", "no", QoS.AT_LEAST_ONCE, false);
        pub.publish("sensors/kitchen/temp", "21", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(sub), "sensors/kitchen/temp", "21", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
    }

    // ---- 3.3.4 Response --------------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.4-1] QoS 0 gets no response, QoS 1 a PUBACK and QoS 2 a PUBREC, each with the packet id")
    void expectedResponses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.concat(
                Packets.publish0("resp/t", "zero"),
                Packets.publish(0x02, "resp/t", 0x1234, "one"),
                Packets.publish(0x04, "resp/t", 0xABCD, "two"),
                Packets.PINGREQ));
        assertNextBytes(c, Bytes.of(0x40, 0x02, 0x12, 0x34));
        assertNextBytes(c, Bytes.of(0x50, 0x02, 0xAB, 0xCD));
        assertNextBytes(c, Packets.PINGRESP);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] [MQTT-4.5.0-1] a message is delivered to every client with a matching subscription")
    void deliveredToAllMatchingSubscribers() throws IOException {
        MqttTestClient a = subscriber("a", "fan/#", QoS.AT_LEAST_ONCE);
        MqttTestClient b = subscriber("b", "fan/out", QoS.AT_MOST_ONCE);
        MqttTestClient c = subscriber("c", "+/out", QoS.EXACTLY_ONCE);
        MqttTestClient none = subscriber("none", "fan/in", QoS.EXACTLY_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("fan/out", "to all", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(a), "fan/out", "to all", QoS.AT_LEAST_ONCE, false);
        assertPublish(nextPublish(b), "fan/out", "to all", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(c), "fan/out", "to all", QoS.EXACTLY_ONCE, false);
        assertNextPublishIsFence(none, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] a publisher subscribed to its own topic receives its own message")
    void publisherReceivesOwnMessage() throws IOException {
        MqttTestClient c = subscriber("self", "self/t", QoS.AT_LEAST_ONCE);
        c.raw().send(Packets.publish(0x02, "self/t", 3, "echo"));
        List<Object> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            got.add(c.receive(WAIT));
        }
        assertThat(got).anySatisfy(p -> assertThat(p).isEqualTo(new PubAck(3)));
        assertThat(got).anySatisfy(p -> assertThat(p).isInstanceOfSatisfying(Publish.class,
                pp -> assertPublish(pp, "self/t", "echo", QoS.AT_LEAST_ONCE, false)));
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] payloads are delivered byte for byte: empty, binary and large")
    void payloadsIntact() throws IOException {
        MqttTestClient sub = subscriber("sub", "payload/#", QoS.AT_LEAST_ONCE);
        MqttTestClient pub = connect("pub");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        byte[] large = new byte[200_000];
        new Random(42).nextBytes(large);
        for (byte[] payload : List.of(new byte[0], binary, large)) {
            pub.raw().send(Bytes.packet(0x32).utf8("payload/t").u16(9).raw(payload).build());
            assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, 0x09));
            Publish p = nextPublish(sub);
            byte[] got = new byte[p.payload().readableBytes()];
            p.payload().getBytes(p.payload().readerIndex(), got);
            assertThat(got).isEqualTo(payload);
        }
    }

    // ---- 3.3.5 Server actions --------------------------------------------------------------

    @Test
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions of one client get one copy at the highest granted QoS")
    void overlappingSubscriptionsOneCopy() throws IOException {
        MqttTestClient sub = connect("sub");
        sub.subscribe("over/#", QoS.AT_MOST_ONCE);
        sub.subscribe("over/+", QoS.AT_LEAST_ONCE);
        sub.subscribe("over/t", QoS.EXACTLY_ONCE);
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.publish("over/t", "once", QoS.EXACTLY_ONCE, false);
        assertPublish(nextPublish(sub), "over/t", "once", QoS.EXACTLY_ONCE, false);
        pub.publish("over/u", "once at QoS 1", QoS.EXACTLY_ONCE, false);
        Publish second = nextPublish(sub);
        assertPublish(second, "over/u", "once at QoS 1", QoS.AT_LEAST_ONCE, false);
        assertNextPublishIsFence(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.5-2] a PUBLISH the server does not authorize ($SYS) is acknowledged positively and not "
            + "delivered")
    void unauthorizedPublishAcknowledged() throws IOException {
        MqttTestClient sub = connect("sub");
        sub.subscribe("$SYS/#", QoS.AT_LEAST_ONCE);
        sub.subscribe(FENCE, QoS.AT_MOST_ONCE);
        MqttTestClient pub = connect("pub");
        pub.raw().send(Packets.publish(0x02, "$SYS/broker/fake", 5, "forged"));
        assertNextBytes(pub, Bytes.of(0x40, 0x02, 0x00, 0x05));
        pub.raw().send(Packets.publish(0x04, "$SYS/broker/fake", 6, "forged"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 0x06));
        pub.raw().send(Packets.pubrel(6));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 0x06));
        assertNextPublishIsFence(sub, pub);
    }
}
