package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.session.ConnectRequest;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Disconnect;
import java.io.IOException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 3.14: DISCONNECT, both ways. */
class Section3_14_DisconnectTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.1.2-8] DISCONNECT 0x04 (Disconnect with Will Message) publishes the will")
    void disconnectWithWill() throws IOException {
        MqttTestClient sub = subscriber5("sub", "bye/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("w", CLEAN_START, 60, Props.none(), Props.none(), "bye/w", "asked"));
        c.raw().send(V5Packets.disconnect(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE, Props.none()));
        assertClosedWithoutReply(c);
        assertPublish(nextPublish(sub), "bye/w", "asked", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] the Session Expiry Interval of DISCONNECT replaces the one of CONNECT")
    void expiryChangedOnDisconnect() throws IOException {
        MqttTestClient c = connect5("s", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 10));
        c.raw().send(V5Packets.disconnect(0, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)));
        assertClosedWithoutReply(c);
        Awaitility.await().atMost(WAIT).until(() -> !broker().broker().sessionInfo("s").join().orElseThrow()
                .connected());
        assertThat(broker().broker().sessionInfo("s").join().orElseThrow().expiryInterval())
                .isEqualTo(ConnectRequest.NEVER);
        MqttTestClient d = connect5("d", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60));
        d.raw().send(V5Packets.disconnect(0, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 0)));
        Awaitility.await().atMost(WAIT).until(() -> broker().broker().sessionInfo("d").join().isEmpty());
    }

    @Test
    @DisplayName("[MQTT-4.13.1-1] [MQTT-3.14.2-2] [MQTT-4.13.2-1] raising the Session Expiry Interval from 0 in "
            + "DISCONNECT is a protocol error: DISCONNECT 0x82 (without a Session Expiry Interval), the connection "
            + "closed and the will published")
    void raiseFromZero() throws IOException {
        MqttTestClient sub = subscriber5("sub", "bye/#", 0);
        MqttTestClient c = open5();
        connAck(c, V5Packets.connectWithWill("z", CLEAN_START, 60, Props.none(), Props.none(), "bye/z", "will"));
        c.raw().send(V5Packets.disconnect(0, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        Disconnect d = assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
        assertThat(d.properties().reasonString()).contains("Session Expiry Interval");
        // MQTT-3.14.2-2: the server never puts a Session Expiry Interval in its DISCONNECT.
        assertThat(d.properties().sessionExpiryInterval()).isNull();
        assertPublish(nextPublish(sub), "bye/z", "will", QoS.AT_MOST_ONCE, false);
        awaitSessionCount(1);
    }

    @Test
    @DisplayName("[MQTT-3.14.0-1] [MQTT-3.14.4-1] [MQTT-3.14.4-2] [MQTT-3.14.2-1] the broker's DISCONNECT comes "
            + "only after a successful CONNACK, and then the connection closes; shutting down sends 0x8B")
    void serverShutdown() throws IOException {
        MqttTestClient c = connect5("c");
        MqttTestClient pending = open5(); // no CONNECT yet: closed without DISCONNECT
        // Shut down only once the broker has taken the connection (not while it is still being accepted).
        var server = broker().broker().server();
        await().atMost(WAIT).until(() -> server.openConnections() == 2);
        broker().close();
        assertDisconnect(c, ReasonCodes.SERVER_SHUTTING_DOWN);
        assertClosedWithoutReply(pending);
    }

    @Test
    @DisplayName("[MQTT-3.14.1-1] DISCONNECT with reserved flag bits set is malformed (0x81)")
    void reservedBits() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(dev.tern.broker.spec.Bytes.of(0xE1, 0x00));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.14.2-3] [MQTT-3.14.2-4] the Reason String is left out of a DISCONNECT it would make "
            + "larger than the client's Maximum Packet Size")
    void reasonStringLeftOut() throws IOException {
        MqttTestClient c = open5();
        connAck(c, V5Packets.connect("c", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 16)));
        c.raw().send(V5Packets.connect("c"));
        assertNextBytes(c, dev.tern.broker.spec.Bytes.of(0xE0, 0x01, 0x82));
        assertClosedWithoutReply(c);
    }
}
