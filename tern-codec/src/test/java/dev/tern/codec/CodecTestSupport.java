package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/**
 * Helpers for byte-exact codec tests. Every buffer the decoder or encoder allocates comes from a
 * {@link TrackingAllocator}, and each test fails if one of them is still referenced when it ends.
 */
abstract class CodecTestSupport {
    static final MqttVersion V31 = MqttVersion.MQTT_3_1;
    static final MqttVersion V311 = MqttVersion.MQTT_3_1_1;
    static final MqttVersion V5 = MqttVersion.MQTT_5;

    final TrackingAllocator alloc = new TrackingAllocator();
    final MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);

    @AfterEach
    void everyBufferReleased() {
        alloc.assertAllReleased();
    }

    /** Bytes from ints written as 0x.. literals or chars; each must fit an unsigned or signed byte. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < -128 || values[i] > 255) {
                throw new IllegalArgumentException("not a byte at index " + i + ": " + values[i]);
            }
            out[i] = (byte) values[i];
        }
        return out;
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    /** A payload for an expected PUBLISH; a wrapped array, so it needs no release. */
    static ByteBuf payload(String utf8) {
        return Unpooled.wrappedBuffer(utf8.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuf payload(int... values) {
        return Unpooled.wrappedBuffer(bytes(values));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One decode call on exactly these bytes; the input buffer is released, the result is the caller's. */
    DecodeResult decodeResult(@Nullable MqttVersion version, byte[] wire) {
        ByteBuf in = alloc.buffer(wire.length).writeBytes(wire);
        try {
            return decoder.decode(in, version);
        } finally {
            in.release();
        }
    }

    /** Decodes one whole packet and checks that it consumed exactly the given bytes. */
    MqttPacket decode(@Nullable MqttVersion version, byte[] wire) {
        ByteBuf in = alloc.buffer(wire.length).writeBytes(wire);
        try {
            DecodeResult r = decoder.decode(in, version);
            assertThat(r).as("decoding %s", hex(wire)).isInstanceOf(DecodeResult.Decoded.class);
            assertThat(in.readerIndex()).as("bytes consumed").isEqualTo(wire.length);
            return ((DecodeResult.Decoded) r).packet();
        } finally {
            in.release();
        }
    }

    /** Decodes bytes that must break a rule and returns the error. */
    DecodeError decodeError(@Nullable MqttVersion version, byte[] wire) {
        DecodeResult r = decodeResult(version, wire);
        assertThat(r).as("decoding %s", hex(wire)).isInstanceOf(DecodeError.class);
        return (DecodeError) r;
    }

    /** Encodes a packet and returns its bytes; the encoded buffer is released. */
    byte[] encode(MqttPacket packet, MqttVersion version) {
        ByteBuf out = MqttPacketEncoder.encode(packet, version, alloc);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * The core check of the byte-array tests: the bytes decode to {@code expected} (CONNECT is decoded
     * as the first packet of a connection, before the version is known) and {@code expected} encodes
     * to exactly the bytes.
     */
    void assertCodec(MqttVersion version, MqttPacket expected, int... wire) {
        assertDecodes(version, expected, wire);
        assertEncodes(version, expected, wire);
    }

    /** Only the decoding half, for forms the encoder never writes (it always writes the shortest). */
    void assertDecodes(MqttVersion version, MqttPacket expected, int... wire) {
        MqttPacket decoded = decode(expected instanceof Connect ? null : version, bytes(wire));
        try {
            assertThat(decoded).isEqualTo(expected);
        } finally {
            if (decoded instanceof Publish p) {
                p.release();
            }
        }
    }

    /** Only the encoding half. */
    void assertEncodes(MqttVersion version, MqttPacket packet, int... wire) {
        assertThat(hex(encode(packet, version))).as("encoding %s for %s", packet, version.label())
                .isEqualTo(hex(bytes(wire)));
    }
}
