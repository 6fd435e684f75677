package dev.tern.broker.spec;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 3.14: DISCONNECT. */
class Section3_14_DisconnectTest extends SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.14.4-3] [MQTT-3.1.2-10] after DISCONNECT the server closes the connection without "
            + "publishing the will")
    void disconnectDiscardsWill() throws IOException {
        MqttTestClient sub = subscriber("sub", "bye/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("leaver", 60, "bye/will", "should not appear", QoS.AT_LEAST_ONCE, true);
        c.raw().send(Packets.DISCONNECT);
        assertClosedWithoutReply(c);
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
        MqttTestClient late = subscriber("late", "bye/will", QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(late, late);
    }

    @ParameterizedTest(name = "[MQTT-3.14.1-1] [MQTT-2.2.2-2] a DISCONNECT with first byte 0x{0} closes the "
            + "connection and, not being a DISCONNECT, publishes the will")
    @ValueSource(strings = {"e1", "e2", "e8", "ef"})
    void reservedBitsCloseAndPublishWill(String firstByteHex) throws IOException {
        MqttTestClient sub = subscriber("sub", "bye/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("bad", 60, "bye/bad", "will", QoS.AT_MOST_ONCE, false);
        c.raw().send(Bytes.of(Integer.parseInt(firstByteHex, 16), 0x00));
        assertClosedWithoutReply(c);
        assertPublish(nextPublish(sub), "bye/bad", "will", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.14.1-1] [MQTT-4.8.0-1] a DISCONNECT with a body is malformed: the connection is closed and "
            + "the will published")
    void disconnectWithBody() throws IOException {
        MqttTestClient sub = subscriber("sub", "bye/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connectWithWill("bad", 60, "bye/body", "will", QoS.AT_MOST_ONCE, false);
        c.raw().send(Bytes.of(0xE0, 0x01, 0x00));
        assertClosedWithoutReply(c);
        assertPublish(nextPublish(sub), "bye/body", "will", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.14.4-2] [MQTT-3.14.4-3] packets after DISCONNECT in the same segment are not processed")
    void nothingAfterDisconnect() throws IOException {
        MqttTestClient sub = subscriber("sub", "after/#", QoS.AT_MOST_ONCE);
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.concat(Packets.DISCONNECT,
                Packets.publish(0x03, "after/retained", 1, "sent after DISCONNECT"),
                Packets.PINGREQ));
        assertClosedWithoutReply(c);
        awaitSessionCount(1);
        assertNextPublishIsFence(sub, connect("pub"));
        MqttTestClient late = subscriber("late", "after/#", QoS.AT_LEAST_ONCE);
        assertNextPublishIsFence(late, late);
    }
}
