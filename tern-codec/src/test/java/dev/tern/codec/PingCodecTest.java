package dev.tern.codec;

import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PINGREQ and PINGRESP (MQTT 3.1.1 sections 3.12, 3.13; MQTT 5.0 the same): identical in every version. */
class PingCodecTest extends CodecTestSupport {

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttVersion.class)
    void pingReq(MqttVersion version) {
        assertCodec(version, PingReq.INSTANCE,
                0xC0, 0x00);                              // PINGREQ, remaining length 0
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttVersion.class)
    void pingResp(MqttVersion version) {
        assertCodec(version, PingResp.INSTANCE,
                0xD0, 0x00);                              // PINGRESP, remaining length 0
    }
}
