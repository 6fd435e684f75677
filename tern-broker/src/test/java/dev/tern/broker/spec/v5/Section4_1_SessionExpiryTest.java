package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.session.ConnectRequest;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.packet.ConnAck;
import java.io.IOException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 4.1: how long session state lives (Session Expiry Interval). */
class Section4_1_SessionExpiryTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-4.1.0-2] a session is discarded once its Session Expiry Interval has passed offline")
    void expiresOnTime() throws IOException {
        MqttTestClient c = connect5("brief", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 1));
        subscribe5(c, 1, Props.none(), "x", 1, 1);
        long closed = System.nanoTime();
        c.raw().send(V5Packets.DISCONNECT);
        Awaitility.await().atMost(WAIT).until(() -> broker().broker().sessionCount() == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(broker().broker().subscriptionCount()).isZero();
        ConnAck ack = connAck(open5(), V5Packets.connect("brief", 0, 60, Props.none()));
        assertThat(ack.sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.1.0-1] [MQTT-3.1.2-23] 0xFFFFFFFF never expires, and a session is never discarded while "
            + "its connection is open")
    void neverExpires() throws IOException {
        MqttTestClient open = connect5("open", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 1));
        MqttTestClient c = connect5("forever", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL));
        c.raw().send(V5Packets.DISCONNECT);
        assertThat(open.raw().staysSilent(Duration.ofMillis(1500))).isTrue();
        assertThat(broker().broker().sessionInfo("forever").join().orElseThrow().expiryInterval())
                .isEqualTo(ConnectRequest.NEVER);
        assertThat(broker().broker().sessionCount()).isEqualTo(2);
        assertAlive(open);
    }

    @Test
    @DisplayName("persistent_client_expiration limits a longer Session Expiry Interval and CONNACK says so")
    void limitedByPersistentClientExpiration() throws IOException {
        startBroker(b -> b.persistentClientExpiration(Duration.ofSeconds(1)));
        ConnAck ack = connAck(open5(), V5Packets.connect("capped", V5Packets.CLEAN_START, 60,
                Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 3600)));
        assertThat(ack.properties().sessionExpiryInterval()).isEqualTo(1L);
        ConnAck within = connAck(open5(), V5Packets.connect("within", V5Packets.CLEAN_START, 60, Props.none()));
        assertThat(within.properties().sessionExpiryInterval()).as("0 is within the limit").isNull();
        Awaitility.await().atMost(WAIT).until(() -> broker().broker().sessionInfo("capped").join().isPresent());
    }
}
