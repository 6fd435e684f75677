package dev.tern.codec;

import dev.tern.codec.packet.SubAck;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SUBACK (MQTT 3.1.1 section 3.9, MQTT 5.0 section 3.9), byte for byte. */
class SubAckCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new SubAck(1, List.of(0, 1, 2), MqttProperties.EMPTY),
                0x90, 0x05,                               // SUBACK, remaining length 5
                0x00, 0x01,                               // packet identifier 1
                0x00, 0x01, 0x02);                        // granted QoS 0, 1, 2
    }

    @Test
    void mqtt311WithFailure() {
        assertCodec(V311, new SubAck(2, List.of(1, 0x80), MqttProperties.EMPTY),
                0x90, 0x04,                               // SUBACK, remaining length 4
                0x00, 0x02,                               // packet identifier 2
                0x01,                                     // granted QoS 1
                0x80);                                    // failure
    }

    @Test
    void mqtt5ReasonCodes() {
        assertCodec(V5, new SubAck(3, List.of(0x00, 0x01, 0x02, 0x80, 0x87, 0xA2), MqttProperties.EMPTY),
                0x90, 0x09,                               // SUBACK, remaining length 9
                0x00, 0x03,                               // packet identifier 3
                0x00,                                     // property length 0
                0x00, 0x01, 0x02,                         // granted QoS 0, 1, 2
                0x80,                                     // unspecified error
                0x87,                                     // not authorized
                0xA2);                                    // wildcard subscriptions not supported
    }

    @Test
    void mqtt5WithReasonStringAndUserProperty() {
        MqttProperties props = MqttProperties.builder().reasonString("denied").addUserProperty("k", "v").build();
        assertCodec(V5, new SubAck(4, List.of(0x87), props),
                0x90, 0x14,                               // SUBACK, remaining length 20
                0x00, 0x04,                               // packet identifier 4
                0x10,                                     // property length 16
                0x1F, 0x00, 0x06, 'd', 'e', 'n', 'i', 'e', 'd', // reason string "denied"
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',   //   user property k=v
                0x87);                                    // not authorized
    }
}
