package dev.tern.codec;

import dev.tern.codec.packet.PubComp;
import org.junit.jupiter.api.Test;

/** PUBCOMP (MQTT 3.1.1 section 3.7, MQTT 5.0 section 3.7), byte for byte. */
class PubCompCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, new PubComp(1),
                0x70, 0x02,                               // PUBCOMP, remaining length 2
                0x00, 0x01);                              // packet identifier 1
    }

    @Test
    void mqtt311() {
        assertCodec(V311, new PubComp(0xFFFF),
                0x70, 0x02,                               // PUBCOMP, remaining length 2
                0xFF, 0xFF);                              // packet identifier 65535
    }

    @Test
    void mqtt5ShortFormTwoBytes() {
        assertCodec(V5, new PubComp(7),
                0x70, 0x02,                               // PUBCOMP, remaining length 2
                0x00, 0x07);                              // packet identifier 7; reason code 0x00 implied
    }

    @Test
    void mqtt5ShortFormThreeBytes() {
        assertCodec(V5, new PubComp(7, 0x92, MqttProperties.EMPTY),
                0x70, 0x03,                               // PUBCOMP, remaining length 3
                0x00, 0x07,                               // packet identifier 7
                0x92);                                    // reason code 0x92: packet identifier not found; no properties
    }

    @Test
    void mqtt5LongForm() {
        MqttProperties props = MqttProperties.builder().reasonString("no").addUserProperty("k", "v").build();
        assertCodec(V5, new PubComp(7, 0x92, props),
                0x70, 0x10,                               // PUBCOMP, remaining length 16
                0x00, 0x07,                               // packet identifier 7
                0x92,                                     // reason code 0x92: packet identifier not found
                0x0C,                                     // property length 12
                0x1F, 0x00, 0x02, 'n', 'o',               //   reason string "no"
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v');  //   user property k=v
    }

    @Test
    void mqtt5SuccessWithPropertiesKeepsTheReasonCode() {
        assertCodec(V5, new PubComp(9, 0x00, MqttProperties.builder().reasonString("r").build()),
                0x70, 0x08,                               // PUBCOMP, remaining length 8
                0x00, 0x09,                               // packet identifier 9
                0x00,                                     // reason code 0x00: success (needed before properties)
                0x04,                                     // property length 4
                0x1F, 0x00, 0x01, 'r');                   //   reason string "r"
    }

    @Test
    void mqtt5LongerFormsOfSuccessDecodeToTheShortForm() {
        assertDecodes(V5, new PubComp(7),
                0x70, 0x03,                               // PUBCOMP, remaining length 3
                0x00, 0x07,                               // packet identifier 7
                0x00);                                    // reason code 0x00: success
        assertDecodes(V5, new PubComp(7),
                0x70, 0x04,                               // PUBCOMP, remaining length 4
                0x00, 0x07,                               // packet identifier 7
                0x00,                                     // reason code 0x00: success
                0x00);                                    // property length 0
        assertDecodes(V5, new PubComp(7, 0x92, MqttProperties.EMPTY),
                0x70, 0x04,                               // PUBCOMP, remaining length 4
                0x00, 0x07,                               // packet identifier 7
                0x92,                                     // reason code 0x92
                0x00);                                    // property length 0
    }

    @Test
    void mqtt311EncodingLeavesOutReasonCodeAndProperties() {
        assertEncodes(V311, new PubComp(7, 0x92, MqttProperties.builder().reasonString("no").build()),
                0x70, 0x02,                               // PUBCOMP, remaining length 2
                0x00, 0x07);                              // packet identifier 7 (3.1.1 has nothing else)
    }
}
