package dev.tern.codec;

import dev.tern.codec.packet.Disconnect;
import org.junit.jupiter.api.Test;

/** DISCONNECT (MQTT 3.1.1 section 3.14, MQTT 5.0 section 3.14), byte for byte. */
class DisconnectCodecTest extends CodecTestSupport {

    @Test
    void mqtt31() {
        assertCodec(V31, Disconnect.NORMAL,
                0xE0, 0x00);                              // DISCONNECT, remaining length 0
    }

    @Test
    void mqtt311() {
        assertCodec(V311, Disconnect.NORMAL,
                0xE0, 0x00);                              // DISCONNECT, remaining length 0
    }

    @Test
    void mqtt5ShortForm() {
        assertCodec(V5, Disconnect.NORMAL,
                0xE0, 0x00);                              // DISCONNECT, remaining length 0: normal disconnection
    }

    @Test
    void mqtt5ReasonCodeOnly() {
        assertCodec(V5, new Disconnect(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE, MqttProperties.EMPTY),
                0xE0, 0x01,                               // DISCONNECT, remaining length 1
                0x04);                                    // reason code 0x04: disconnect with will message
    }

    @Test
    void mqtt5ReasonCodeAndProperties() {
        MqttProperties props = MqttProperties.builder()
                .sessionExpiryInterval(0L)
                .serverReference("b2")
                .reasonString("bye")
                .addUserProperty("k", "v")
                .build();
        assertCodec(V5, new Disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, props),
                0xE0, 0x19,                               // DISCONNECT, remaining length 25
                0x8B,                                     // reason code 0x8B: server shutting down
                0x17,                                     // property length 23
                0x11, 0x00, 0x00, 0x00, 0x00,             //   session expiry interval 0
                0x1C, 0x00, 0x02, 'b', '2',               //   server reference "b2"
                0x1F, 0x00, 0x03, 'b', 'y', 'e',          //   reason string "bye"
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v');  //   user property k=v
    }

    @Test
    void mqtt5LongerFormsOfNormalDecodeToTheShortForm() {
        assertDecodes(V5, Disconnect.NORMAL,
                0xE0, 0x01,                               // DISCONNECT, remaining length 1
                0x00);                                    // reason code 0x00: normal disconnection
        assertDecodes(V5, Disconnect.NORMAL,
                0xE0, 0x02,                               // DISCONNECT, remaining length 2
                0x00,                                     // reason code 0x00
                0x00);                                    // property length 0
    }

    @Test
    void mqtt311EncodingLeavesOutReasonAndProperties() {
        assertEncodes(V311, new Disconnect(ReasonCodes.PROTOCOL_ERROR, MqttProperties.builder().reasonString("x").build()),
                0xE0, 0x00);                              // DISCONNECT, remaining length 0
    }
}
