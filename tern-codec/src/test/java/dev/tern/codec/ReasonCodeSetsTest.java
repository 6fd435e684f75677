package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every one of the 256 reason code values in every packet that carries one: the decoder accepts
 * exactly the codes the specification lists for that packet (MQTT 5.0 sections 3.2.2.2 to 3.15.2.1,
 * MQTT 3.1.1 sections 3.2.2.3 and 3.9.3), transcribed here independently of {@link ReasonCodeSets}.
 */
class ReasonCodeSetsTest extends CodecTestSupport {

    private static Set<Integer> set(int... codes) {
        return IntStream.of(codes).boxed().collect(Collectors.toSet());
    }

    private void assertAcceptsExactly(String packet, MqttVersion v, Set<Integer> allowed, IntFunction<int[]> wire) {
        for (int code = 0; code < 256; code++) {
            DecodeResult r = decodeResult(v, bytes(wire.apply(code)));
            if (allowed.contains(code)) {
                assertThat(r).as("%s with code 0x%02X", packet, code).isInstanceOf(DecodeResult.Decoded.class);
            } else {
                assertThat(r).as("%s with code 0x%02X", packet, code)
                        .isInstanceOf(DecodeError.class)
                        .extracting(e -> ((DecodeError) e).violation()).isEqualTo(Violation.REASON_CODE_INVALID);
            }
        }
    }

    @Test
    void connAck() {
        assertAcceptsExactly("3.1.1 CONNACK", V311, set(0, 1, 2, 3, 4, 5),
                c -> new int[] {0x20, 0x02, 0x00, c});
        assertAcceptsExactly("5.0 CONNACK", V5, set(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
                        0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F),
                c -> new int[] {0x20, 0x03, 0x00, c, 0x00});
    }

    @Test
    void pubAckAndPubRec() {
        Set<Integer> allowed = set(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
        assertAcceptsExactly("PUBACK", V5, allowed, c -> new int[] {0x40, 0x03, 0x00, 0x01, c});
        assertAcceptsExactly("PUBREC", V5, allowed, c -> new int[] {0x50, 0x03, 0x00, 0x01, c});
    }

    @Test
    void pubRelAndPubComp() {
        Set<Integer> allowed = set(0x00, 0x92);
        assertAcceptsExactly("PUBREL", V5, allowed, c -> new int[] {0x62, 0x03, 0x00, 0x01, c});
        assertAcceptsExactly("PUBCOMP", V5, allowed, c -> new int[] {0x70, 0x03, 0x00, 0x01, c});
    }

    @Test
    void subAck() {
        assertAcceptsExactly("3.1.1 SUBACK", V311, set(0x00, 0x01, 0x02, 0x80),
                c -> new int[] {0x90, 0x03, 0x00, 0x01, c});
        assertAcceptsExactly("5.0 SUBACK", V5, set(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E,
                        0xA1, 0xA2),
                c -> new int[] {0x90, 0x04, 0x00, 0x01, 0x00, c});
    }

    @Test
    void unsubAck() {
        assertAcceptsExactly("UNSUBACK", V5, set(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91),
                c -> new int[] {0xB0, 0x04, 0x00, 0x01, 0x00, c});
    }

    @Test
    void disconnect() {
        assertAcceptsExactly("DISCONNECT", V5, set(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
                        0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E,
                        0x9F, 0xA0, 0xA1, 0xA2),
                c -> new int[] {0xE0, 0x01, c});
    }

    @Test
    void auth() {
        assertAcceptsExactly("AUTH", V5, set(0x00, 0x18, 0x19), c -> new int[] {0xF0, 0x01, c});
    }

    @Test
    void errorCodesStartAt0x80() {
        assertThat(ReasonCodes.isError(0x7F)).isFalse();
        assertThat(ReasonCodes.isError(ReasonCodes.UNSPECIFIED_ERROR)).isTrue();
        assertThat(ReasonCodes.isError(ReasonCodes.GRANTED_QOS_2)).isFalse();
    }
}
