package dev.tern.codec;

import dev.tern.codec.packet.PubAck;
import org.junit.jupiter.api.Test;

/** PUBACK (MQTT 3.1.1 section 3.4, MQTT 5.0 section 3.4), byte for byte. */
class PubAckCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new PubAck(1),
                0x40, 0x02,                               // PUBACK, remaining length 2
                0x00, 0x01);                              // packet identifier 1
    }

    @Test
    void mqtt311() {
        assertCodec(V311, new PubAck(0xFFFF),
                0x40, 0x02,                               // PUBACK, remaining length 2
                0xFF, 0xFF);                              // packet identifier 65535
    }

    @Test
    void mqtt5ShortFormTwoBytes() {
        assertCodec(V5, new PubAck(7),
                0x40, 0x02,                               // PUBACK, remaining length 2
                0x00, 0x07);                              // packet identifier 7; reason code 0x00 implied
    }

    @Test
    void mqtt5ShortFormThreeBytes() {
        assertCodec(V5, new PubAck(7, 0x10, MqttProperties.EMPTY),
                0x40, 0x03,                               // PUBACK, remaining length 3
                0x00, 0x07,                               // packet identifier 7
                0x10);                                    // reason code 0x10: no matching subscribers; no properties
    }

    @Test
    void mqtt5LongForm() {
        MqttProperties props = MqttProperties.builder().reasonString("no").addUserProperty("k", "v").build();
        assertCodec(V5, new PubAck(7, 0x80, props),
                0x40, 0x10,                               // PUBACK, remaining length 16
                0x00, 0x07,                               // packet identifier 7
                0x80,                                     // reason code 0x80: unspecified error
                0x0C,                                     // property length 12
                0x1F, 0x00, 0x02, 'n', 'o',               //   reason string "no"
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v');  //   user property k=v
    }

    @Test
    void mqtt5SuccessWithPropertiesKeepsTheReasonCode() {
        assertCodec(V5, new PubAck(9, 0x00, MqttProperties.builder().reasonString("r").build()),
                0x40, 0x08,                               // PUBACK, remaining length 8
                0x00, 0x09,                               // packet identifier 9
                0x00,                                     // reason code 0x00: success (needed before properties)
                0x04,                                     // property length 4
                0x1F, 0x00, 0x01, 'r');                   //   reason string "r"
    }

    @Test
    void mqtt5LongerFormsOfSuccessDecodeToTheShortForm() {
        assertDecodes(V5, new PubAck(7),
                0x40, 0x03,                               // PUBACK, remaining length 3
                0x00, 0x07,                               // packet identifier 7
                0x00);                                    // reason code 0x00: success
        assertDecodes(V5, new PubAck(7),
                0x40, 0x04,                               // PUBACK, remaining length 4
                0x00, 0x07,                               // packet identifier 7
                0x00,                                     // reason code 0x00: success
                0x00);                                    // property length 0
        assertDecodes(V5, new PubAck(7, 0x10, MqttProperties.EMPTY),
                0x40, 0x04,                               // PUBACK, remaining length 4
                0x00, 0x07,                               // packet identifier 7
                0x10,                                     // reason code 0x10
                0x00);                                    // property length 0
    }

    @Test
    void mqtt311EncodingLeavesOutReasonCodeAndProperties() {
        assertEncodes(V311, new PubAck(7, 0x80, MqttProperties.builder().reasonString("no").build()),
                0x40, 0x02,                               // PUBACK, remaining length 2
                0x00, 0x07);                              // packet identifier 7 (3.1.1 has nothing else)
    }
}
