package dev.tern.broker.spec;

import static dev.tern.broker.spec.Packets.CLEAN;
import static dev.tern.broker.spec.Packets.PASSWORD;
import static dev.tern.broker.spec.Packets.USERNAME;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 3.1.1 section 3.2: CONNACK, its session present flag and return codes. */
class Section3_2_ConnAckTest extends SpecTestBase {

    private static final byte[] CONNACK_SESSION_PRESENT = Bytes.of(0x20, 0x02, 0x01, 0x00);

    @Test
    @DisplayName("[MQTT-3.2.0-1] CONNACK comes first, before messages queued for a resumed session")
    void connAckBeforeQueuedMessages() throws IOException {
        MqttTestClient first = connectPersistent("queued", false);
        first.subscribe("queued/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        awaitSessionCount(1);
        connect("pub").publish("queued/t", "waiting", QoS.AT_LEAST_ONCE, false);
        MqttTestClient again = open();
        again.raw().send(Packets.connect("queued", 0, 60));
        assertNextBytes(again, CONNACK_SESSION_PRESENT);
        assertPublish(nextPublish(again), "queued/t", "waiting", QoS.AT_LEAST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-1] clean session 1 is accepted with session present 0, even if a session was stored")
    void cleanSessionNeverPresent() throws IOException {
        connectPersistent("stored", false).disconnect();
        awaitSessionCount(1);
        MqttTestClient c = open();
        c.raw().send(Packets.connect("stored", CLEAN, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] clean session 0 with a stored session is accepted with session present 1")
    void storedSessionPresent() throws IOException {
        MqttTestClient first = open();
        first.raw().send(Packets.connect("present", 0, 60));
        assertNextBytes(first, Packets.CONNACK_ACCEPTED);
        first.disconnect();
        awaitSessionCount(1);
        MqttTestClient again = open();
        again.raw().send(Packets.connect("present", 0, 60));
        assertNextBytes(again, CONNACK_SESSION_PRESENT);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] a session taken over while connected is also present")
    void takenOverSessionPresent() throws IOException {
        MqttTestClient first = connectPersistent("live", false);
        MqttTestClient second = open();
        second.raw().send(Packets.connect("live", 0, 60));
        assertNextBytes(second, CONNACK_SESSION_PRESENT);
        assertClosedWithoutReply(first);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] clean session 0 without a stored session is accepted with session present 0")
    void noStoredSession() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connect("fresh", 0, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] a session that ended with a clean session 1 connection is not present")
    void cleanSessionLeavesNothing() throws IOException {
        connect("gone").disconnect();
        awaitSessionCount(0);
        MqttTestClient c = open();
        c.raw().send(Packets.connect("gone", 0, 60));
        assertNextBytes(c, Packets.CONNACK_ACCEPTED);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.2.2-5] a refused CONNECT gets session present 0 even when a session is "
            + "stored, then the connection is closed")
    void refusedConnAckHasNoSessionPresent() throws IOException {
        startBroker(b -> b.maxKeepalive(100));
        connectPersistent("kept", false).disconnect();
        awaitSessionCount(1);
        MqttTestClient c = open();
        // A keep-alive above max_keepalive is refused with 0x02 in MQTT 3.1.1 (as Mosquitto does).
        c.raw().send(Packets.connect("kept", 0, 200));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x02));
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.2.2-5] return code 0x05 (not authorized) for an anonymous client where "
            + "anonymous access is off, then the connection is closed")
    void notAuthorized() throws IOException {
        startBroker(b -> b.allowAnonymous(false));
        MqttTestClient c = open();
        c.raw().send(Packets.connect("anonymous"));
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x05));
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.2.2-5] return code 0x05 (not authorized, as Mosquitto answers) for "
            + "credentials that cannot be verified, then the connection is closed")
    void badCredentials() throws IOException {
        startBroker(b -> b.allowAnonymous(false));
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("MQTT", 4, CLEAN | USERNAME | PASSWORD, 60).utf8("c").utf8("user")
                .utf8("wrong").build());
        assertRepliesThenCloses(c, Bytes.of(0x20, 0x02, 0x00, 0x05));
    }

    @Test
    @DisplayName("[MQTT-3.2.2-6] [MQTT-3.1.4-1] a CONNECT no return code fits (not MQTT at all) is closed without "
            + "CONNACK")
    void noApplicableReturnCode() throws IOException {
        MqttTestClient c = open();
        c.raw().send(Packets.connectHeader("HTTP", 1, CLEAN, 60).utf8("c").build());
        assertClosedWithoutReply(c);
    }
}
