package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 sections 4.3 to 4.7: QoS flows both ways, re-delivery, ordering, topic names and filters. */
class Section4_3_QosFlowsTest extends V5SpecTestBase {

    private static final Props SESSION = Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60);

    @Test
    @DisplayName("[MQTT-4.3.1-1] [MQTT-3.3.1-2] QoS 0 from the broker: QoS 0, DUP 0, no packet id")
    void qos0() throws IOException {
        MqttTestClient sub = subscriber5("sub", "q/#", 2);
        connect5("pub").raw().send(V5Packets.publish0("q/0", "x"));
        assertNextBytes(sub, Bytes.of(0x30, 0x07, 0x00, 0x03, 'q', '/', '0', 0x00, 'x'));
    }

    @Test
    @DisplayName("[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-4.3.2-3] [MQTT-4.3.2-4] [MQTT-4.3.2-5] QoS 1 both ways: "
            + "PUBACK with the id once owned; the same id afterwards is a new message; the broker keeps its "
            + "PUBLISH unacknowledged until PUBACK")
    void qos1() throws IOException {
        MqttTestClient sub = subscriber5("sub", "q/#", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "q/1", 7, Props.none(), "one"));
        assertThat(reasonCodeByte(next(pub), 2)).isZero();
        pub.raw().send(V5Packets.publish(0x0A, "q/1", 7, Props.none(), "two")); // same id, DUP: a new message
        assertThat(next(pub)[0] & 0xFF).isEqualTo(0x40);
        Publish a = nextPublish(sub);
        Publish b = nextPublish(sub);
        assertThat(List.of(MqttTestClient.text(a), MqttTestClient.text(b))).containsExactly("one", "two");
        assertThat(a.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(a.dup()).isFalse();
        assertThat(broker().broker().sessionInfo("sub").join().orElseThrow().inflightMessages()).isEqualTo(2);
        sub.raw().send(V5Packets.puback(a.packetId()));
        sub.raw().send(V5Packets.puback(b.packetId()));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                broker().broker().sessionInfo("sub").join().orElseThrow().inflightMessages() == 0);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11] [MQTT-4.3.3-12] QoS 2 from a client: PUBREC, "
            + "a re-sent PUBLISH is acknowledged but not delivered again, PUBCOMP for PUBREL, then the id is new")
    void qos2Inbound() throws IOException {
        MqttTestClient sub = subscriber5("sub", "q/#", 2);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x04, "q/2", 9, Props.none(), "once"));
        assertThat(next(pub)[0] & 0xFF).isEqualTo(0x50);
        pub.raw().send(V5Packets.publish(0x0C, "q/2", 9, Props.none(), "once"));
        assertThat(next(pub)[0] & 0xFF).isEqualTo(0x50);
        pub.raw().send(V5Packets.pubrel(9));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 0x09));
        pub.raw().send(V5Packets.publish(0x04, "q/2", 9, Props.none(), "again"));
        assertThat(next(pub)[0] & 0xFF).isEqualTo(0x50);
        Publish first = nextPublish(sub);
        Publish second = nextPublish(sub);
        assertThat(List.of(MqttTestClient.text(first), MqttTestClient.text(second))).containsExactly("once", "again");
        sub.raw().send(V5Packets.pubrec(first.packetId()));
        assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(first.packetId());
        sub.raw().send(V5Packets.pubcomp(first.packetId()));
        assertAlive(sub);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-9] after a PUBREC 0x80 or above the same packet id is a new message")
    void qos2ErrorPubRecEndsFlow() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x04, "$SYS/no", 5, Props.none(), "x"));
        assertThat(reasonCodeByte(next(pub), 2)).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
        MqttTestClient sub = subscriber5("sub", "q/#", 2);
        pub.raw().send(V5Packets.publish(0x04, "q/new", 5, Props.none(), "new"));
        assertThat(reasonCodeByte(next(pub), 2)).isZero();
        assertThat(MqttTestClient.text(nextPublish(sub))).isEqualTo("new");
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-4.3.3-3] [MQTT-4.3.3-4] [MQTT-4.3.3-5] [MQTT-4.3.3-6] QoS 2 "
            + "from the broker: fresh id, DUP 0; PUBREL after PUBREC; PUBREL, not PUBLISH, re-sent until PUBCOMP")
    void qos2Outbound() throws IOException {
        MqttTestClient sub = connect5("sub", SESSION);
        subscribe5(sub, 1, Props.none(), "q/#", 2, 2);
        connect5("pub").raw().send(V5Packets.publish(0x04, "q/2", 1, Props.none(), "x"));
        Publish p = nextPublish(sub);
        assertThat(p.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(p.dup()).isFalse();
        sub.raw().send(V5Packets.pubrec(p.packetId()));
        assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        sub.close();
        awaitOffline("sub");
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("sub", 0, 60, SESSION));
        assertThat(again.expect(PubRel.class).packetId()).as("PUBREL re-sent, not the PUBLISH")
                .isEqualTo(p.packetId());
        again.raw().send(V5Packets.pubcomp(p.packetId()));
        assertAlive(again);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-7] [MQTT-4.3.3-13] a QoS 2 message already sent is re-sent after its expiry "
            + "interval; an expired inbound QoS 2 flow is still completed")
    void qos2NotExpiredOnceSent() throws IOException {
        MqttTestClient sub = connect5("sub", SESSION);
        subscribe5(sub, 1, Props.none(), "q/#", 2, 2);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x04, "q/e", 1, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 1), "x"));
        assertThat(next(pub)[0] & 0xFF).isEqualTo(0x50);
        Publish p = nextPublish(sub);
        sub.close();
        awaitOffline("sub");
        sleep(1300);
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("sub", 0, 60, SESSION));
        Publish resent = nextPublish(again);
        assertThat(resent.dup()).isTrue();
        assertThat(resent.packetId()).isEqualTo(p.packetId());
        pub.raw().send(V5Packets.pubrel(1));
        assertNextBytes(pub, Bytes.of(0x70, 0x02, 0x00, 0x01));
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] [MQTT-3.3.1-3] a resumed session re-sends unacknowledged PUBLISHes "
            + "with DUP 1 and their ids, whatever DUP the publisher set")
    void redelivery() throws IOException {
        MqttTestClient sub = connect5("sub", SESSION);
        subscribe5(sub, 1, Props.none(), "q/#", 1, 1);
        connect5("pub").raw().send(V5Packets.publish(0x0A, "q/r", 1, Props.none(), "x")); // publisher's DUP 1
        Publish p = nextPublish(sub);
        assertThat(p.dup()).as("DUP of the broker's own first send").isFalse();
        sub.close();
        awaitOffline("sub");
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("sub", 0, 60, SESSION));
        Publish r = nextPublish(again);
        assertThat(r.dup()).isTrue();
        assertThat(r.packetId()).isEqualTo(p.packetId());
    }

    @Test
    @DisplayName("[MQTT-4.4.0-2] a PUBLISH answered with PUBACK 0x80 counts as acknowledged and is not re-sent")
    void errorPubAckIsAcknowledged() throws IOException {
        MqttTestClient sub = connect5("sub", SESSION);
        subscribe5(sub, 1, Props.none(), "q/#", 1, 1);
        connect5("pub").raw().send(V5Packets.publish(0x02, "q/x", 1, Props.none(), "refused"));
        Publish p = nextPublish(sub);
        sub.raw().send(V5Packets.ack(0x40, p.packetId(), ReasonCodes.UNSPECIFIED_ERROR));
        assertAlive(sub);
        sub.close();
        awaitOffline("sub");
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("sub", 0, 60, SESSION));
        assertThat(again.raw().staysSilent(Duration.ofMillis(300))).isTrue();
    }

    @Test
    @DisplayName("[MQTT-4.5.0-1] [MQTT-4.6.0-5] [MQTT-4.6.0-6] every matching session gets the message, in the "
            + "order each publisher sent them")
    void fanOutInOrder() throws IOException {
        MqttTestClient a = subscriber5("a", "o/#", 1);
        MqttTestClient b = subscriber5("b", "o/+", 1);
        MqttTestClient pub = connect5("pub");
        for (int i = 0; i < 20; i++) {
            pub.raw().send(V5Packets.publish(0x02, "o/t", i + 1, Props.none(), Integer.toString(i)));
        }
        for (MqttTestClient c : List.of(a, b)) {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Publish p = nextPublish(c);
                got.add(MqttTestClient.text(p));
                c.raw().send(V5Packets.puback(p.packetId()));
            }
            assertThat(got).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
                    "14", "15", "16", "17", "18", "19");
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-2] [MQTT-3.10.4-3] after UNSUBSCRIBE no new messages come, and a QoS 1 message in "
            + "flight is still completed")
    void unsubscribeCompletesInFlight() throws IOException {
        MqttTestClient sub = subscriber5("sub", "u/#", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "u/a", 1, Props.none(), "in flight"));
        Publish p = nextPublish(sub);
        sub.raw().send(V5Packets.unsubscribe(9, Props.none(), "u/#"));
        assertThat(next(sub)[0] & 0xFF).isEqualTo(0xB0);
        pub.raw().send(V5Packets.publish(0x02, "u/a", 2, Props.none(), "after"));
        sub.raw().send(V5Packets.puback(p.packetId()));
        assertNextPublishIsFence5(sub, pub);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                broker().broker().sessionInfo("sub").join().orElseThrow().inflightMessages() == 0);
    }

    @Test
    @DisplayName("[MQTT-4.7.0-1] [MQTT-3.3.2-2] [MQTT-3.3.2-1] a topic name with a wildcard is malformed "
            + "(DISCONNECT 0x81); a topic name that is not UTF-8 too")
    void wildcardTopicName() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish0("a/+", "x"));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
        MqttTestClient d = connect5("d");
        d.raw().send(Bytes.packet(0x30).string(new byte[] {(byte) 0xFE}).u8(0).build());
        assertDisconnect(d, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.3-1] '#' last and alone, '+' a whole level, filters not "
            + "empty: otherwise SUBACK 0x8F")
    void filterSyntax() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "a/#", 0, "a/#/b", 0, "a#", 0, "+/x/+", 0, "a+", 0, "", 0));
        assertThat(c.expect(dev.tern.codec.packet.SubAck.class).reasonCodes()).containsExactly(0, 0x8F, 0x8F, 0, 0x8F,
                0x8F);
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] [MQTT-3.3.2-3] wildcards at the start do not match '$' topics; delivered topic names "
            + "match the subscription")
    void dollarTopics() throws IOException {
        MqttTestClient all = subscriber5("all", "#", 0);
        MqttTestClient dollar = subscriber5("dollar", "$internal/+", 0);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish0("$internal/x", "hidden"));
        assertThat(nextPublish(dollar).topic()).isEqualTo("$internal/x");
        assertNextPublishIsFence5(all, pub);
    }

    @Test
    @DisplayName("[MQTT-4.7.3-2] [MQTT-4.7.3-3] [MQTT-4.7.3-4] U+0000 in a topic is malformed; a 65,535-byte topic "
            + "works; names are not normalised")
    void topicLimits() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(Bytes.packet(0x30).string(new byte[] {'a', 0x00}).u8(0).build());
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
        String composed = "caf\u00E9";
        String decomposed = "cafe\u0301";
        MqttTestClient sub = subscriber5("sub", composed, 0);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish0(decomposed, "other form"));
        assertNextPublishIsFence5(sub, pub);
        String longTopic = "l".repeat(65_535);
        MqttTestClient big = subscriber5("big", longTopic, 0);
        pub.raw().send(V5Packets.publish0(longTopic, "long"));
        assertThat(nextPublish(big).topic()).hasSize(65_535);
    }

    private void awaitOffline(String clientId) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !broker().broker().sessionInfo(clientId).join()
                .orElseThrow().connected());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
