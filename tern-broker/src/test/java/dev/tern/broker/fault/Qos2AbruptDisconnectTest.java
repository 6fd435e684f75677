package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Connections that break in the middle of a QoS 2 exchange, in both directions. The persistent
 * session carries the exchange over to the next connection: the message is delivered exactly once,
 * and the flow resumes where it stopped [MQTT-4.4.0-1], [MQTT-4.3.3-2].
 */
class Qos2AbruptDisconnectTest {
    private static final MqttVersion V311 = MqttVersion.MQTT_3_1_1;

    private static Publish qos2(String topic, String payload, int packetId, boolean dup) {
        return new Publish(topic, QoS.EXACTLY_ONCE, false, dup, packetId, MqttProperties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** Receives a QoS 2 PUBLISH as a subscriber and completes the exchange. */
    private static Publish receiveQos2(MqttTestClient sub) throws Exception {
        Publish p = sub.expect(Publish.class);
        assertThat(p.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        sub.send(new PubRec(p.packetId()));
        assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
        sub.send(new PubComp(p.packetId()));
        return p;
    }

    private static void awaitConnected(TestBroker broker, int clients) {
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().metrics().connectedClients() == clients);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] Publisher drops after PUBREC: re-sent PUBLISH (DUP) gets PUBREC again, delivered once")
    void publisherDropsAfterPubRec() throws Exception {
        try (TestBroker broker = TestBroker.start();
             MqttTestClient sub = MqttTestClient.connected(broker.port(), "q2-sub")) {
            sub.subscribe("q2/t", QoS.EXACTLY_ONCE);
            try (MqttTestClient pub = MqttTestClient.connected(broker.port(), "q2-pub", false, V311)) {
                pub.send(qos2("q2/t", "once", 7, false));
                assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(7);
            } // gone before PUBREL
            assertThat(MqttTestClient.text(receiveQos2(sub))).isEqualTo("once");
            awaitConnected(broker, 1);

            try (MqttTestClient pub = MqttTestClient.open(broker.port(), V311)) {
                ConnAck ack = pub.connect("q2-pub", false, 60, null);
                assertThat(ack.sessionPresent()).isTrue();
                pub.send(qos2("q2/t", "once", 7, true));
                assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(7);
                assertThat(sub.raw().staysSilent(Duration.ofMillis(300)))
                        .as("the re-sent PUBLISH is not delivered a second time").isTrue();
                pub.send(new PubRel(7));
                assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(7);

                // The packet id is free again: a new message under it is a new message.
                pub.send(qos2("q2/t", "again", 7, false));
                assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(7);
                pub.send(new PubRel(7));
                assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(7);
                assertThat(MqttTestClient.text(receiveQos2(sub))).isEqualTo("again");
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] Subscriber drops after sending PUBREC: on reconnect the broker re-sends PUBREL, not PUBLISH")
    void subscriberDropsAfterPubRec() throws Exception {
        try (TestBroker broker = TestBroker.start();
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "q2b-pub")) {
            int packetId;
            try (MqttTestClient sub = MqttTestClient.connected(broker.port(), "q2b-sub", false, V311)) {
                sub.subscribe("q2/b", QoS.EXACTLY_ONCE);
                pub.publish("q2/b", "first", QoS.EXACTLY_ONCE, false);
                Publish p = sub.expect(Publish.class);
                packetId = p.packetId();
                sub.send(new PubRec(packetId));
                assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(packetId);
            } // gone before PUBCOMP
            awaitConnected(broker, 1);

            try (MqttTestClient sub = MqttTestClient.open(broker.port(), V311)) {
                assertThat(sub.connect("q2b-sub", false, 60, null).sessionPresent()).isTrue();
                assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(packetId);
                sub.send(new PubComp(packetId));
                assertThat(sub.raw().staysSilent(Duration.ofMillis(200))).as("no PUBLISH re-sent").isTrue();
                FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), "q2b-sub");
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> session.inflightMessages() == 0);

                pub.publish("q2/b", "second", QoS.EXACTLY_ONCE, false);
                Publish next = receiveQos2(sub);
                assertThat(MqttTestClient.text(next)).isEqualTo("second");
                assertThat(next.dup()).isFalse();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] Subscriber drops before PUBREC: on reconnect the broker re-sends PUBLISH with DUP")
    void subscriberDropsBeforePubRec() throws Exception {
        try (TestBroker broker = TestBroker.start();
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "q2c-pub")) {
            int packetId;
            try (MqttTestClient sub = MqttTestClient.connected(broker.port(), "q2c-sub", false, V311)) {
                sub.subscribe("q2/c", QoS.EXACTLY_ONCE);
                pub.publish("q2/c", "pending", QoS.EXACTLY_ONCE, false);
                Publish p = sub.expect(Publish.class);
                assertThat(p.dup()).isFalse();
                packetId = p.packetId();
            } // gone before PUBREC
            awaitConnected(broker, 1);

            try (MqttTestClient sub = MqttTestClient.open(broker.port(), V311)) {
                assertThat(sub.connect("q2c-sub", false, 60, null).sessionPresent()).isTrue();
                Publish again = sub.expect(Publish.class);
                assertThat(again.packetId()).isEqualTo(packetId);
                assertThat(again.dup()).isTrue();
                assertThat(MqttTestClient.text(again)).isEqualTo("pending");
                sub.send(new PubRec(packetId));
                assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(packetId);
                sub.send(new PubComp(packetId));
                assertThat(sub.raw().staysSilent(Duration.ofMillis(200))).isTrue();
            }
        }
    }
}
