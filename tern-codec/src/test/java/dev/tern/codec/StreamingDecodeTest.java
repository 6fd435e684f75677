package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.SamplePackets.Sample;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Packets arriving in pieces, as TCP delivers them: the decoder must report Incomplete without
 * consuming anything until a packet is whole, then return exactly that packet and consume exactly
 * its bytes, wherever the stream is cut.
 */
class StreamingDecodeTest extends CodecTestSupport {

    static List<Sample> samples() {
        return SamplePackets.all();
    }

    /** Consecutive samples of the same version, to be sent back to back. */
    static Stream<Arguments> pairs() {
        List<Sample> all = SamplePackets.all();
        return IntStream.range(0, all.size() - 1)
                .filter(i -> all.get(i).version() == all.get(i + 1).version())
                .mapToObj(i -> Arguments.of(all.get(i), all.get(i + 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void byteByByte(Sample s) {
        byte[] wire = encode(s.packet(), s.version());
        ByteBuf acc = alloc.buffer();
        try {
            for (int i = 0; i < wire.length; i++) {
                acc.writeByte(wire[i]);
                DecodeResult r = decoder.decode(acc, s.version());
                if (i < wire.length - 1) {
                    assertThat(r).as("after %d of %d bytes", i + 1, wire.length)
                            .isSameAs(DecodeResult.Incomplete.INSTANCE);
                    assertThat(acc.readerIndex()).as("consumed after %d bytes", i + 1).isZero();
                } else {
                    assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
                    MqttPacket p = ((DecodeResult.Decoded) r).packet();
                    try {
                        assertThat(p).isEqualTo(s.packet());
                    } finally {
                        release(p);
                    }
                    assertThat(acc.readerIndex()).isEqualTo(wire.length);
                }
            }
        } finally {
            acc.release();
        }
    }

    @ParameterizedTest(name = "{0} then {1}")
    @MethodSource("pairs")
    void twoPacketsSplitAtEveryPoint(Sample first, Sample second) {
        MqttVersion v = first.version();
        byte[] a = encode(first.packet(), v);
        byte[] b = encode(second.packet(), v);
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        for (int split = 0; split <= both.length; split++) {
            ByteBuf acc = alloc.buffer();
            List<MqttPacket> decoded = new ArrayList<>();
            try {
                acc.writeBytes(both, 0, split);
                drain(acc, v, decoded);
                int expectedSoFar = split == both.length ? 2 : split >= a.length ? 1 : 0;
                assertThat(decoded).as("packets after the first %d of %d bytes", split, both.length)
                        .hasSize(expectedSoFar);
                assertThat(acc.readerIndex()).as("consumed after %d bytes", split)
                        .isEqualTo(expectedSoFar == 0 ? 0 : expectedSoFar == 1 ? a.length : both.length);
                // Like Netty's cumulator, drop what was consumed before more bytes arrive.
                acc.discardReadBytes();
                acc.writeBytes(both, split, both.length - split);
                drain(acc, v, decoded);
                assertThat(decoded).as("split at %d", split).containsExactly(first.packet(), second.packet());
                assertThat(acc.isReadable()).isFalse();
            } finally {
                decoded.forEach(StreamingDecodeTest::release);
                acc.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void allSamplesOfAVersionInOneBuffer(MqttVersion v) {
        List<Sample> samples = SamplePackets.all().stream().filter(s -> s.version() == v).toList();
        ByteBuf acc = alloc.buffer();
        List<MqttPacket> decoded = new ArrayList<>();
        try {
            for (Sample s : samples) {
                acc.writeBytes(encode(s.packet(), v));
            }
            drain(acc, v, decoded);
            assertThat(decoded).containsExactlyElementsOf(samples.stream().map(Sample::packet).toList());
            assertThat(acc.isReadable()).isFalse();
        } finally {
            decoded.forEach(StreamingDecodeTest::release);
            acc.release();
        }
    }

    static MqttVersion[] versions() {
        return MqttVersion.values();
    }

    /** Decodes until the decoder needs more bytes; an error fails the test. */
    private void drain(ByteBuf acc, MqttVersion v, List<MqttPacket> out) {
        for (int guard = 0; guard < 1000; guard++) {
            int before = acc.readerIndex();
            DecodeResult r = decoder.decode(acc, v);
            switch (r) {
                case DecodeResult.Incomplete i -> {
                    assertThat(acc.readerIndex()).isEqualTo(before);
                    return;
                }
                case DecodeResult.Decoded d -> out.add(d.packet());
                case DecodeError e -> throw new AssertionError("unexpected " + e.message());
            }
        }
        throw new AssertionError("decoder did not stop");
    }

    private static void release(MqttPacket p) {
        if (p instanceof Publish pub) {
            pub.release();
        }
    }
}
