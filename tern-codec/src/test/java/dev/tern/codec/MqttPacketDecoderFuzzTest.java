package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the decoder with Jazzer. Each input is decoded as a stream of packets on
 * a connection of every version, and before CONNECT, and must satisfy {@link DecoderInvariants}: no
 * exception, Incomplete consumes nothing, every packet re-encodes and decodes to an equal packet,
 * every buffer is released.
 *
 * <p>In a plain test run this replays the checked-in inputs in
 * {@code src/test/resources/dev/tern/codec/MqttPacketDecoderFuzzTestInputs/decode} (valid packets of
 * every type as seeds, plus any crash Jazzer has found and someone checked in). With the environment
 * variable {@code JAZZER_FUZZ=1} it fuzzes for {@code maxDuration}; {@code mvn verify} does that in a
 * separate Surefire execution ({@code tern-codec/pom.xml}), and new crashing inputs are written to that
 * directory.
 */
class MqttPacketDecoderFuzzTest {
    private static final @Nullable MqttVersion[] VERSIONS = {null, MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1,
            MqttVersion.MQTT_5};

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        for (MqttVersion v : VERSIONS) {
            // Netty's leak-aware wrappers record a stack trace per buffer access at PARANOID level,
            // which would slow fuzzing tenfold; the tracking allocator checks every release instead.
            DecoderInvariants.check(data, v, false);
        }
    }

    /** The seeds are worth starting from: each is one or more whole, valid packets for some version. */
    @Test
    void seedsAreValidPackets() throws IOException {
        Path dir = Path.of("src/test/resources/dev/tern/codec/MqttPacketDecoderFuzzTestInputs/decode");
        List<Path> seeds;
        try (Stream<Path> files = Files.list(dir)) {
            seeds = files.filter(f -> f.getFileName().toString().contains("-v")).toList();
        }
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(15);
        for (Path seed : seeds) {
            byte[] data = Files.readAllBytes(seed);
            boolean whole = Arrays.stream(VERSIONS).anyMatch(v -> DecoderInvariants.check(data, v, true) > 0
                    && decodesCompletely(data, v));
            assertThat(whole).as("seed %s decodes completely in some version", seed.getFileName()).isTrue();
        }
    }

    private static boolean decodesCompletely(byte[] data, @Nullable MqttVersion v) {
        TrackingAllocator alloc = new TrackingAllocator();
        MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);
        ByteBuf in = Unpooled.wrappedBuffer(data);
        while (in.isReadable()) {
            if (!(decoder.decode(in, v) instanceof DecodeResult.Decoded d)) {
                return false;
            }
            if (d.packet() instanceof Publish p) {
                p.release();
            }
        }
        alloc.assertAllReleased();
        return true;
    }
}
