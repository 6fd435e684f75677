package dev.tern.codec;

import dev.tern.codec.packet.UnsubAck;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UNSUBACK (MQTT 3.1.1 section 3.11, MQTT 5.0 section 3.11), byte for byte. */
class UnsubAckCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new UnsubAck(5),
                0xB0, 0x02,                               // UNSUBACK, remaining length 2
                0x00, 0x05);                              // packet identifier 5
    }

    @Test
    void mqtt311HasNoReasonCodes() {
        assertCodec(V311, new UnsubAck(0x0102),
                0xB0, 0x02,                               // UNSUBACK, remaining length 2
                0x01, 0x02);                              // packet identifier 258
    }

    @Test
    void mqtt5ReasonCodes() {
        assertCodec(V5, new UnsubAck(5, List.of(0x00, 0x11), MqttProperties.EMPTY),
                0xB0, 0x05,                               // UNSUBACK, remaining length 5
                0x00, 0x05,                               // packet identifier 5
                0x00,                                     // property length 0
                0x00,                                     // success
                0x11);                                    // no subscription existed
    }

    @Test
    void mqtt5WithReasonString() {
        assertCodec(V5, new UnsubAck(6, List.of(0x00, 0x11, 0x87),
                        MqttProperties.builder().reasonString("gone").build()),
                0xB0, 0x0D,                               // UNSUBACK, remaining length 13
                0x00, 0x06,                               // packet identifier 6
                0x07,                                     // property length 7
                0x1F, 0x00, 0x04, 'g', 'o', 'n', 'e',     //   reason string "gone"
                0x00,                                     // success
                0x11,                                     // no subscription existed
                0x87);                                    // not authorized
    }

    @Test
    void mqtt311EncodingLeavesOutReasonCodes() {
        assertEncodes(V311, new UnsubAck(7, List.of(0x11), MqttProperties.builder().reasonString("x").build()),
                0xB0, 0x02,                               // UNSUBACK, remaining length 2
                0x00, 0x07);                              // packet identifier 7
    }
}
