package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.Unsubscribe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fixed header (MQTT 3.1.1 and 5.0 section 2.1): packet type, flags and remaining length, and the
 * maximum packet size, which is enforced before any of the body is buffered.
 */
class FixedHeaderTest extends CodecTestSupport {

    /** A well-formed 3.x body for each type, so that only the flags can be wrong. */
    private static final Map<PacketType, int[]> V3_BODIES = Map.ofEntries(
            Map.entry(PacketType.CONNACK, new int[] {0x00, 0x00}),
            Map.entry(PacketType.PUBACK, new int[] {0x00, 0x01}),
            Map.entry(PacketType.PUBREC, new int[] {0x00, 0x01}),
            Map.entry(PacketType.PUBREL, new int[] {0x00, 0x01}),
            Map.entry(PacketType.PUBCOMP, new int[] {0x00, 0x01}),
            Map.entry(PacketType.SUBSCRIBE, new int[] {0x00, 0x01, 0x00, 0x01, 'a', 0x00}),
            Map.entry(PacketType.SUBACK, new int[] {0x00, 0x01, 0x00}),
            Map.entry(PacketType.UNSUBSCRIBE, new int[] {0x00, 0x01, 0x00, 0x01, 'a'}),
            Map.entry(PacketType.UNSUBACK, new int[] {0x00, 0x01}),
            Map.entry(PacketType.PINGREQ, new int[] {}),
            Map.entry(PacketType.PINGRESP, new int[] {}),
            Map.entry(PacketType.DISCONNECT, new int[] {}));

    private static int[] packet(PacketType type, int flags, int[] body) {
        int[] wire = new int[2 + body.length];
        wire[0] = (type.value() << 4) | flags;
        wire[1] = body.length;
        System.arraycopy(body, 0, wire, 2, body.length);
        return wire;
    }

    @Test
    void everyTypeButPublishRejectsEveryOtherFlagValue() {
        int checked = 0;
        for (MqttVersion v : new MqttVersion[] {V311, V5, null}) {
            for (PacketType type : PacketType.values()) {
                if (type == PacketType.PUBLISH || (type == PacketType.AUTH && v != V5)) {
                    continue;
                }
                for (int flags = 0; flags < 16; flags++) {
                    if (flags == type.requiredFlags()) {
                        continue;
                    }
                    DecodeError e = decodeError(v, bytes(
                            (type.value() << 4) | flags, 0x00)); // type with wrong flags, remaining length 0
                    assertThat(e.violation()).as("%s flags %d in %s", type, flags, v)
                            .isEqualTo(Violation.INVALID_FIXED_HEADER_FLAGS);
                    assertThat(e.packetType()).isEqualTo(type);
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(3 * 13 * 15 + 15);
    }

    @Test
    void requiredFlagsAreAccepted() {
        assertDecodes(V311, new PubRel(1),
                0x62, 0x02,                               // PUBREL, flags 0010, remaining length 2
                0x00, 0x01);                              // packet identifier 1
    }

    /**
     * MQTT 3.1 marks the flag bits of all packets but PUBLISH "not used", except that PUBREL, SUBSCRIBE
     * and UNSUBSCRIBE carry QoS 1 and set DUP when resent (MQTT 3.1 sections 2.1, 3.6, 3.8, 3.10).
     */
    @Test
    void mqtt31OnlyChecksTheQosBitsItDefines() {
        int accepted = 0;
        for (Map.Entry<PacketType, int[]> entry : V3_BODIES.entrySet()) {
            PacketType type = entry.getKey();
            for (int flags = 0; flags < 16; flags++) {
                byte[] wire = bytes(packet(type, flags, entry.getValue()));
                boolean qosOne = (flags & 0x06) == 0x02;
                DecodeResult r = decodeResult(V31, wire);
                if (type.requiredFlags() == 0 || qosOne) {
                    assertThat(r).as("%s with flags %d in 3.1", type, flags).isInstanceOf(DecodeResult.Decoded.class);
                    accepted++;
                } else {
                    assertThat(r).as("%s with flags %d in 3.1", type, flags).isInstanceOf(DecodeError.class);
                    assertThat(((DecodeError) r).violation()).isEqualTo(Violation.INVALID_FIXED_HEADER_FLAGS);
                }
            }
        }
        assertThat(accepted).isEqualTo(9 * 16 + 3 * 4);
    }

    @Test
    void mqtt31ResentPubRelSubscribeAndUnsubscribeWithDup() {
        assertThat(decode(V31, bytes(
                0x6A, 0x02,                               // PUBREL, DUP, QoS 1; remaining length 2
                0x00, 0x07)))                             // packet identifier 7
                .isEqualTo(new PubRel(7));
        MqttPacket sub = decode(V31, bytes(
                0x8A, 0x06,                               // SUBSCRIBE, DUP, QoS 1; remaining length 6
                0x00, 0x08,                               // packet identifier 8
                0x00, 0x01, 'a',                          // topic filter "a"
                0x01));                                   //   requested QoS 1
        assertThat(sub).isInstanceOf(Subscribe.class);
        MqttPacket unsub = decode(V31, bytes(
                0xAA, 0x05,                               // UNSUBSCRIBE, DUP, QoS 1; remaining length 5
                0x00, 0x09,                               // packet identifier 9
                0x00, 0x01, 'a'));                        // topic filter "a"
        assertThat(unsub).isInstanceOf(Unsubscribe.class);
        // The same bytes are malformed in 3.1.1 and 5.0 (MQTT-2.2.2-2).
        assertThat(decodeError(V311, bytes(0x6A, 0x02, 0x00, 0x07)).violation())
                .isEqualTo(Violation.INVALID_FIXED_HEADER_FLAGS);
        assertThat(decodeError(V5, bytes(0x8A, 0x06, 0x00, 0x08, 0x00, 0x01, 'a', 0x01)).violation())
                .isEqualTo(Violation.INVALID_FIXED_HEADER_FLAGS);
    }

    @ParameterizedTest(name = "remaining length {0}")
    @CsvSource({
            "0,         00",
            "127,       7F",
            "128,       80 01",
            "16383,     FF 7F",
            "16384,     80 80 01",
            "2097151,   FF FF 7F",
            "2097152,   80 80 80 01",
            "268435455, FF FF FF 7F"})
    void remainingLengthBoundaries(int remaining, String encoded) {
        byte[] lengthBytes = HexFormat.ofDelimiter(" ").parseHex(encoded.trim());
        byte[] header = new byte[1 + lengthBytes.length];
        header[0] = (byte) 0xE0;                          // DISCONNECT (3.1.1 expects no body; only the header matters)
        System.arraycopy(lengthBytes, 0, header, 1, lengthBytes.length);
        long total = header.length + (long) remaining;

        // Without the body: nothing consumed, nothing allocated (an empty body is the whole packet).
        TrackingAllocator decoderAlloc = new TrackingAllocator();
        MqttPacketDecoder d = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, decoderAlloc);
        if (remaining == 0) {
            assertThat(decode(V311, header)).isEqualTo(Disconnect.NORMAL);
        } else {
            ByteBuf in = alloc.buffer().writeBytes(header);
            try {
                assertThat(d.decode(in, V311)).isSameAs(DecodeResult.Incomplete.INSTANCE);
                assertThat(in.readerIndex()).isZero();
            } finally {
                in.release();
            }
        }
        // One byte too small a maximum: rejected from the header alone, naming the full size.
        if (total > 2) {
            DecodeResult r = decodeWith(new MqttPacketDecoder((int) total - 1, decoderAlloc), V311, header);
            assertThat(r).isInstanceOf(DecodeError.class);
            assertThat(((DecodeError) r).violation()).isEqualTo(Violation.PACKET_TOO_LARGE);
            assertThat(((DecodeError) r).detail()).startsWith(total + " bytes");
        }
        assertThat(decoderAlloc.allocations()).isZero();

        // The encoder writes the same length bytes (checked on PUBLISH sizes that fit in memory).
        if (remaining >= 3 && remaining <= 2_097_152) {
            byte[] payload = new byte[remaining - 3];
            Publish p = new Publish("t", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                    Unpooled.wrappedBuffer(payload));
            byte[] wire = encode(p, V311);
            assertThat(Arrays.copyOfRange(wire, 1, 1 + lengthBytes.length)).isEqualTo(lengthBytes);
            assertThat(wire).hasSize((int) total);
            MqttPacket decoded = decode(V311, wire);
            try {
                assertThat(decoded).isEqualTo(p);
            } finally {
                ((Publish) decoded).release();
            }
        }
    }

    @Test
    void largestRemainingLengthAgainstASmallMaximumIsRejectedFromTheFixedHeaderAlone() {
        TrackingAllocator decoderAlloc = new TrackingAllocator();
        MqttPacketDecoder small = new MqttPacketDecoder(1024, decoderAlloc);
        ByteBuf in = alloc.buffer().writeBytes(bytes(
                0x30,                                     // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0x7F));                 // remaining length 268435455; no body at all
        try {
            DecodeResult r = small.decode(in, V311);
            assertThat(r).isInstanceOf(DecodeError.class);
            DecodeError e = (DecodeError) r;
            assertThat(e.violation()).isEqualTo(Violation.PACKET_TOO_LARGE);
            assertThat(e.packetType()).isEqualTo(PacketType.PUBLISH);
            assertThat(e.reasonCode()).isEqualTo(ReasonCodes.PACKET_TOO_LARGE);
            assertThat(e.detail()).isEqualTo("268435460 bytes, maximum 1024");
            assertThat(decoderAlloc.allocations()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void largestRemainingLengthAgainstTheLargestMaximumWaitsWithoutAllocating() {
        TrackingAllocator decoderAlloc = new TrackingAllocator();
        MqttPacketDecoder largest = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, decoderAlloc);
        ByteBuf in = alloc.buffer().writeBytes(bytes(
                0x30,                                     // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0x7F));                 // remaining length 268435455
        try {
            assertThat(largest.decode(in, V311)).isSameAs(DecodeResult.Incomplete.INSTANCE);
            assertThat(in.readerIndex()).isZero();
            in.writeBytes(new byte[] {0x00, 0x01, 't'});  // the start of the body: still incomplete
            in.writeZero(4096);
            assertThat(largest.decode(in, V311)).isSameAs(DecodeResult.Incomplete.INSTANCE);
            assertThat(in.readerIndex()).isZero();
            assertThat(decoderAlloc.allocations()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void maximumPacketSizeCountsTheFixedHeader() {
        int[] publish = {
                0x30, 0x08,                               // PUBLISH QoS 0, remaining length 8: 10 bytes in all
                0x00, 0x01, 't',                          // topic "t"
                'a', 'b', 'c', 'd', 'e'};                 // payload, 5 bytes
        DecodeResult r = decodeWith(new MqttPacketDecoder(10, alloc), V311, publish);
        assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
        ((Publish) ((DecodeResult.Decoded) r).packet()).release();

        r = decodeWith(new MqttPacketDecoder(9, alloc), V311, publish);
        assertThat(r).isInstanceOf(DecodeError.class);
        assertThat(((DecodeError) r).violation()).isEqualTo(Violation.PACKET_TOO_LARGE);
        assertThat(((DecodeError) r).detail()).isEqualTo("10 bytes, maximum 9");
    }

    @Test
    void tooLargeNamesThePacketTypeAndTheSmallestMaximumFitsAnEmptyPacket() {
        MqttPacketDecoder tiny = new MqttPacketDecoder(2, alloc);
        assertThat(decodeWith(tiny, V5,
                0xC0, 0x00))                              // PINGREQ, remaining length 0: 2 bytes, fits exactly
                .isEqualTo(new DecodeResult.Decoded(PingReq.INSTANCE));
        DecodeResult r = decodeWith(tiny, V5,
                0x82, 0x01);                              // SUBSCRIBE, remaining length 1: 3 bytes
        assertThat(r).isEqualTo(new DecodeError(Violation.PACKET_TOO_LARGE, PacketType.SUBSCRIBE,
                "3 bytes, maximum 2"));
    }

    private DecodeResult decodeWith(MqttPacketDecoder d, MqttVersion v, int... wire) {
        return decodeWith(d, v, bytes(wire));
    }

    private DecodeResult decodeWith(MqttPacketDecoder d, MqttVersion v, byte[] wire) {
        ByteBuf in = alloc.buffer().writeBytes(wire);
        try {
            return d.decode(in, v);
        } finally {
            in.release();
        }
    }

    @Test
    void fewerThanTwoBytesAreIncomplete() {
        assertThat(decodeResult(V311, bytes())).isSameAs(DecodeResult.Incomplete.INSTANCE);
        assertThat(decodeResult(V311, bytes(0x30))).isSameAs(DecodeResult.Incomplete.INSTANCE);
        assertThat(decodeResult(V311, bytes(0x30, 0x80))).isSameAs(DecodeResult.Incomplete.INSTANCE);
        assertThat(decodeResult(V311, bytes(0x30, 0x80, 0x80, 0x80))).isSameAs(DecodeResult.Incomplete.INSTANCE);
    }

    @Test
    void maximumPacketSizeBelowTwoIsRefused() {
        assertThatThrownBy(() -> new MqttPacketDecoder(1, alloc)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new MqttPacketDecoder(2, alloc).maximumPacketSize()).isEqualTo(2);
        assertThat(MqttPacketDecoder.MAX_PACKET_SIZE).isEqualTo(268_435_460);
    }
}
