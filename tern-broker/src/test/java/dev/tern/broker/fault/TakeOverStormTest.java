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
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fifty connections with one client id in quick succession, each taking the session over from the
 * previous one [MQTT-3.1.4-2]: exactly one survives, and the session is consistent enough to
 * subscribe and receive on it, with the broker's counters agreeing.
 */
class TakeOverStormTest {
    private static final int CONNECTIONS = 50;
    private static final String CLIENT_ID = "storm";

    @Test
    @DisplayName("[MQTT-3.1.4-2] Take-over storm: 50 CONNECTs with one client id leave exactly one connection")
    void takeOverStormLeavesExactlyOneConnection() throws Exception {
        try (TestBroker broker = TestBroker.start(b -> b.connectionMessages(false));
             MqttTestClient pub = MqttTestClient.connected(broker.port(), "storm-pub")) {
            List<MqttTestClient> clients = new ArrayList<>();
            try {
                // Every CONNECT goes out without waiting for the CONNACK of the one before, alternating
                // clean and persistent sessions.
                for (int i = 0; i < CONNECTIONS; i++) {
                    MqttTestClient c = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1);
                    clients.add(c);
                    c.raw().send(FaultSupport.connectBytes(CLIENT_ID, i % 2 == 0));
                }
                List<MqttTestClient> open = new ArrayList<>(clients);
                Set<MqttTestClient> acknowledged = new HashSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (open.size() > 1 && System.nanoTime() < deadline) {
                    for (int i = open.size() - 1; i >= 0; i--) {
                        MqttTestClient c = open.get(i);
                        try {
                            byte[] packet = c.raw().readPacket(Duration.ofMillis(5));
                            boolean clean = clients.indexOf(c) % 2 == 0;
                            // A clean session is never "present" [MQTT-3.2.2-1]; a persistent one may be.
                            assertThat(packet).as("CONNACK accepted").hasSize(4).startsWith(0x20, 2)
                                    .endsWith(0);
                            assertThat(packet[2]).as("session present").isIn((byte) 0, clean ? (byte) 0 : (byte) 1);
                            acknowledged.add(c);
                        } catch (SocketTimeoutException e) {
                            // still open, nothing yet
                        } catch (IOException e) {
                            open.remove(i); // closed by the broker: taken over
                        }
                    }
                }
                assertThat(open).as("connections still open").hasSize(1);
                MqttTestClient survivor = open.get(0);
                if (!acknowledged.contains(survivor)) {
                    ConnAck ack = survivor.expect(ConnAck.class);
                    assertThat(ack.reasonCode()).isZero();
                    assertThat(ack.sessionPresent() && clients.indexOf(survivor) % 2 == 0).isFalse();
                }
                assertThat(survivor.raw().staysSilent(Duration.ofMillis(200))).as("the survivor stays open").isTrue();

                // The surviving session works: subscribe on it and receive.
                survivor.subscribe("storm/t", QoS.AT_LEAST_ONCE);
                pub.publish("storm/t", "calm", QoS.AT_LEAST_ONCE, false);
                Publish p = survivor.expect(Publish.class);
                assertThat(MqttTestClient.text(p)).isEqualTo("calm");
                survivor.send(new PubAck(p.packetId()));

                var metrics = broker.broker().metrics();
                assertThat(metrics.connectedClients()).isEqualTo(2);
                assertThat(broker.broker().sessionCount()).isEqualTo(2);
                assertThat(broker.broker().subscriptionCount()).isEqualTo(1);
                FaultSupport.SessionHandle session = FaultSupport.requireSession(broker.broker(), CLIENT_ID);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> session.inflightMessages() == 0);
                assertThat(session.subscriptionCount()).isEqualTo(1);

                survivor.disconnect();
                await().atMost(Duration.ofSeconds(5)).until(() -> metrics.connectedClients() == 1);
            } finally {
                for (MqttTestClient c : clients) {
                    c.close();
                }
            }
        }
    }
}
