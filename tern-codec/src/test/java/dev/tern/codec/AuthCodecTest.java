package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.packet.Auth;
import org.junit.jupiter.api.Test;

/** AUTH (MQTT 5.0 section 3.15), byte for byte; a reserved packet type before 5.0. */
class AuthCodecTest extends CodecTestSupport {

    @Test
    void mqtt5ShortForm() {
        assertCodec(V5, new Auth(ReasonCodes.SUCCESS, MqttProperties.EMPTY),
                0xF0, 0x00);                              // AUTH, remaining length 0: success
    }

    @Test
    void mqtt5ReasonCodeOnly() {
        assertCodec(V5, new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, MqttProperties.EMPTY),
                0xF0, 0x01,                               // AUTH, remaining length 1
                0x18);                                    // reason code 0x18: continue authentication
    }

    @Test
    void mqtt5ContinueAuthentication() {
        MqttProperties props = MqttProperties.builder()
                .authenticationMethod("SCRAM-SHA-1")
                .authenticationData(bytes(0x6E, 0x3D))
                .reasonString("more")
                .addUserProperty("k", "v")
                .build();
        assertCodec(V5, new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, props),
                0xF0, 0x23,                               // AUTH, remaining length 35
                0x18,                                     // reason code 0x18: continue authentication
                0x21,                                     // property length 33
                0x15, 0x00, 0x0B, 'S', 'C', 'R', 'A', 'M', '-', 'S', 'H', 'A', '-', '1', // authentication method
                0x16, 0x00, 0x02, 0x6E, 0x3D,             //   authentication data 6E 3D
                0x1F, 0x00, 0x04, 'm', 'o', 'r', 'e',     //   reason string "more"
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v');  //   user property k=v
    }

    @Test
    void mqtt5ReAuthenticate() {
        assertCodec(V5, new Auth(ReasonCodes.RE_AUTHENTICATE,
                        MqttProperties.builder().authenticationMethod("M").build()),
                0xF0, 0x06,                               // AUTH, remaining length 6
                0x19,                                     // reason code 0x19: re-authenticate
                0x04,                                     // property length 4
                0x15, 0x00, 0x01, 'M');                   //   authentication method "M"
    }

    @Test
    void beforeMqtt5TypeFifteenIsReserved() {
        for (MqttVersion v : new MqttVersion[] {V31, V311, null}) {
            DecodeError e = decodeError(v, bytes(
                    0xF0, 0x00));                         // type 15, remaining length 0
            assertThat(e.violation()).as("version %s", v).isEqualTo(Violation.RESERVED_PACKET_TYPE);
            assertThat(e.packetType()).isNull();
        }
    }

    @Test
    void encodingAuthBeforeMqtt5IsRefused() {
        Auth auth = new Auth(0, MqttProperties.EMPTY);
        assertThatThrownBy(() -> MqttPacketEncoder.encode(auth, V311, alloc))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttPacketEncoder.encode(auth, V31, alloc))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
