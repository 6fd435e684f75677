package dev.tern.broker.spec;

import dev.tern.broker.test.MqttTestClient;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 sections 3.12 and 3.13: PINGREQ and PINGRESP. */
class Section3_12_PingTest extends SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP (0xD0 0x00)")
    void pingAnswered() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Packets.PINGREQ);
        assertNextBytes(c, Bytes.of(0xD0, 0x00));
    }

    @Test
    @DisplayName("[MQTT-3.12.4-1] every PINGREQ gets its own PINGRESP, also when several arrive together")
    void everyPingAnswered() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.concat(Packets.PINGREQ, Packets.PINGREQ, Packets.PINGREQ));
        for (int i = 0; i < 3; i++) {
            assertNextBytes(c, Packets.PINGRESP);
        }
    }

    @ParameterizedTest(name = "[MQTT-2.2.2-2] a PINGREQ with first byte 0x{0} closes the connection")
    @ValueSource(strings = {"c1", "c2", "c8", "cf"})
    void pingWithFlagsCloses(String firstByteHex) throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.of(Integer.parseInt(firstByteHex, 16), 0x00));
        assertClosedWithoutReply(c);
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a PINGREQ with a body (remaining length 1) is malformed and closes the connection")
    void pingWithBodyCloses() throws IOException {
        MqttTestClient c = connect("c");
        c.raw().send(Bytes.of(0xC0, 0x01, 0x00));
        assertClosedWithoutReply(c);
    }
}
