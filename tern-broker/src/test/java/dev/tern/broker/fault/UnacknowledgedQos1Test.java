package dev.tern.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.Publish;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A client that never acknowledges QoS 1: the broker stops at max_inflight_messages, queues the rest,
 * and on reconnect re-sends the unacknowledged messages with DUP in their original order and packet
 * identifiers before anything new [MQTT-4.4.0-1].
 */
class UnacknowledgedQos1Test {
    private static final int INFLIGHT = 5;
    private static final int MESSAGES = 12;

    @Test
    @DisplayName("[MQTT-4.4.0-1] Unacknowledged QoS 1 fills the in-flight window, then is re-sent with DUP on reconnect")
    void windowFillsThenUnackedMessagesAreResentWithDupInOrder() throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.maxInflightMessages(INFLIGHT));
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "pub")) {
            List<Integer> firstIds = new ArrayList<>();
            try (MqttTestClient lazy = MqttTestClient.connected(broker.port(), "lazy", false,
                    MqttVersion.MQTT_3_1_1)) {
                lazy.subscribe("w/t", QoS.AT_LEAST_ONCE);
                for (int i = 0; i < MESSAGES; i++) {
                    pub.publish("w/t", "m" + i, QoS.AT_LEAST_ONCE, false);
                }
                for (int i = 0; i < INFLIGHT; i++) {
                    Publish p = lazy.expect(Publish.class);
                    assertThat(MqttTestClient.text(p)).isEqualTo("m" + i);
                    assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
                    assertThat(p.dup()).isFalse();
                    firstIds.add(p.packetId());
                }
                assertThat(firstIds).doesNotHaveDuplicates();
                // The window is full: nothing more until an acknowledgement.
                assertThat(lazy.raw().staysSilent(Duration.ofMillis(300))).isTrue();
                FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), "lazy");
                assertThat(session.inflightMessages()).isEqualTo(INFLIGHT);
                assertThat(session.queuedMessages()).isEqualTo(MESSAGES - INFLIGHT);
            } // closed without DISCONNECT and without a single PUBACK
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> broker.broker().metrics().connectedClients() == 1);

            try (MqttTestClient lazy = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1)) {
                ConnAck ack = lazy.connect("lazy", false, 60, null);
                assertThat(ack.reasonCode()).isZero();
                assertThat(ack.sessionPresent()).isTrue();
                List<Integer> resentIds = new ArrayList<>();
                for (int i = 0; i < INFLIGHT; i++) {
                    Publish p = lazy.expect(Publish.class);
                    assertThat(MqttTestClient.text(p)).as("re-sent message %d", i).isEqualTo("m" + i);
                    assertThat(p.dup()).as("DUP of re-sent message %d", i).isTrue();
                    resentIds.add(p.packetId());
                }
                assertThat(resentIds).as("re-sent with the original packet ids").isEqualTo(firstIds);
                assertThat(lazy.raw().staysSilent(Duration.ofMillis(200))).isTrue();

                // Acknowledging frees the window; the queued rest follows in order, each without DUP.
                int next = INFLIGHT;
                List<Integer> toAck = new ArrayList<>(resentIds);
                while (next < MESSAGES) {
                    for (int id : toAck) {
                        lazy.send(new PubAck(id));
                    }
                    toAck.clear();
                    int batch = Math.min(INFLIGHT, MESSAGES - next);
                    for (int i = 0; i < batch; i++, next++) {
                        Publish p = lazy.expect(Publish.class);
                        assertThat(MqttTestClient.text(p)).isEqualTo("m" + next);
                        assertThat(p.dup()).isFalse();
                        toAck.add(p.packetId());
                    }
                }
                for (int id : toAck) {
                    lazy.send(new PubAck(id));
                }
                assertThat(lazy.raw().staysSilent(Duration.ofMillis(200))).isTrue();
                FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), "lazy");
                await().atMost(Duration.ofSeconds(5)).until(() -> session.inflightMessages() + session.queuedMessages() == 0);
            }
        }
    }
}
