package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.SamplePackets.Sample;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;

/**
 * Properties of the codec over generated packets and bytes: decode(encode(p)) == p for every packet
 * type in every version (with arbitrary MQTT 5.0 properties), and no input at all makes the decoder
 * throw or leak.
 */
class CodecPropertiesTest {

    // ---- round trips, one property per packet type so that each gets the full number of tries ----

    @Property
    void connectRoundTrips(@ForAll("connect") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void connAckRoundTrips(@ForAll("connAck") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void publishRoundTrips(@ForAll("publish") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void pubAckRoundTrips(@ForAll("pubAck") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void pubRecRoundTrips(@ForAll("pubRec") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void pubRelRoundTrips(@ForAll("pubRel") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void pubCompRoundTrips(@ForAll("pubComp") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void subscribeRoundTrips(@ForAll("subscribe") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void subAckRoundTrips(@ForAll("subAck") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void unsubscribeRoundTrips(@ForAll("unsubscribe") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void unsubAckRoundTrips(@ForAll("unsubAck") Sample s) {
        assertRoundTrip(s);
    }

    @Property(tries = 50)
    void pingRoundTrips(@ForAll("ping") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void disconnectRoundTrips(@ForAll("disconnect") Sample s) {
        assertRoundTrip(s);
    }

    @Property
    void authRoundTrips(@ForAll("auth") Sample s) {
        assertRoundTrip(s);
    }

    @Provide Arbitrary<Sample> connect() { return PacketArbitraries.samples(PacketType.CONNECT); }
    @Provide Arbitrary<Sample> connAck() { return PacketArbitraries.samples(PacketType.CONNACK); }
    @Provide Arbitrary<Sample> publish() { return PacketArbitraries.samples(PacketType.PUBLISH); }
    @Provide Arbitrary<Sample> pubAck() { return PacketArbitraries.samples(PacketType.PUBACK); }
    @Provide Arbitrary<Sample> pubRec() { return PacketArbitraries.samples(PacketType.PUBREC); }
    @Provide Arbitrary<Sample> pubRel() { return PacketArbitraries.samples(PacketType.PUBREL); }
    @Provide Arbitrary<Sample> pubComp() { return PacketArbitraries.samples(PacketType.PUBCOMP); }
    @Provide Arbitrary<Sample> subscribe() { return PacketArbitraries.samples(PacketType.SUBSCRIBE); }
    @Provide Arbitrary<Sample> subAck() { return PacketArbitraries.samples(PacketType.SUBACK); }
    @Provide Arbitrary<Sample> unsubscribe() { return PacketArbitraries.samples(PacketType.UNSUBSCRIBE); }
    @Provide Arbitrary<Sample> unsubAck() { return PacketArbitraries.samples(PacketType.UNSUBACK); }
    @Provide Arbitrary<Sample> disconnect() { return PacketArbitraries.samples(PacketType.DISCONNECT); }
    @Provide Arbitrary<Sample> auth() { return PacketArbitraries.samples(PacketType.AUTH); }

    @Provide
    Arbitrary<Sample> ping() {
        return Arbitraries.oneOf(PacketArbitraries.samples(PacketType.PINGREQ),
                PacketArbitraries.samples(PacketType.PINGRESP));
    }

    /**
     * The encoder's bytes decode to an equal packet, consuming exactly them; the shortest form is
     * canonical, so re-encoding the decoded packet gives the same bytes; PUBLISH sizes agree with
     * {@link MqttPacketEncoder#publishSize}; nothing leaks.
     */
    private static void assertRoundTrip(Sample s) {
        TrackingAllocator alloc = new TrackingAllocator();
        MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);
        ByteBuf wire = MqttPacketEncoder.encode(s.packet(), s.version(), alloc);
        try {
            byte[] bytes = ByteBufUtil.getBytes(wire);
            if (s.packet() instanceof Publish p) {
                assertThat(bytes).hasSize(MqttPacketEncoder.publishSize(p, s.version()));
            }
            DecodeResult r = decoder.decode(wire, s.packet() instanceof Connect ? null : s.version());
            assertThat(r).as("decoding %s", DecoderInvariants.describe(bytes)).isInstanceOf(DecodeResult.Decoded.class);
            assertThat(wire.isReadable()).as("bytes left after the packet").isFalse();
            MqttPacket decoded = ((DecodeResult.Decoded) r).packet();
            try {
                assertThat(decoded).isEqualTo(s.packet());
                ByteBuf again = MqttPacketEncoder.encode(decoded, s.version(), alloc);
                try {
                    assertThat(ByteBufUtil.getBytes(again)).isEqualTo(bytes);
                } finally {
                    again.release();
                }
            } finally {
                if (decoded instanceof Publish p) {
                    p.release();
                }
            }
        } finally {
            wire.release();
        }
        alloc.assertAllReleased();
    }

    // ---- arbitrary input ----

    @Property
    void arbitraryBytesOnlyYieldDecodeResults(@ForAll("noise") byte[] data, @ForAll("versionOrNone") @Nullable MqttVersion v) {
        DecoderInvariants.check(data, v, true);
    }

    /** Random bytes after a plausible first byte, so that bodies get parsed rather than rejected by the header. */
    @Property
    void arbitraryBodiesOnlyYieldDecodeResults(@ForAll("plausibleHeader") byte[] data,
                                               @ForAll("versionOrNone") @Nullable MqttVersion v) {
        DecoderInvariants.check(data, v, true);
    }

    /** Valid packets with a few bytes overwritten, cut off or repeated: the inputs most likely to find gaps. */
    @Property
    void damagedPacketsOnlyYieldDecodeResults(@ForAll("damaged") byte[] data, @ForAll("versionOrNone") @Nullable MqttVersion v) {
        DecoderInvariants.check(data, v, true);
    }

    /** A stream of valid packets decodes completely, whatever the packets. */
    @Property(tries = 300)
    void streamsOfValidPacketsDecodeCompletely(@ForAll("stream") List<Sample> samples,
                                                @ForAll @IntRange(min = 0, max = 2) int versionIndex) {
        MqttVersion v = MqttVersion.values()[versionIndex];
        List<Sample> same = samples.stream().filter(s -> s.version() == v).toList();
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf all = alloc.buffer();
        for (Sample s : same) {
            ByteBuf one = MqttPacketEncoder.encode(s.packet(), v, alloc);
            all.writeBytes(one);
            one.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        assertThat(DecoderInvariants.check(bytes, v, true)).isEqualTo(same.size());
        alloc.assertAllReleased();
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    @Provide
    Arbitrary<byte[]> plausibleHeader() {
        Arbitrary<Integer> first = Arbitraries.integers().between(1, 15).flatMap(type -> {
            PacketType t = PacketType.of(type);
            int flags = t == null ? 0 : t.requiredFlags();
            return flags >= 0 ? Arbitraries.just(type << 4 | flags) : Arbitraries.integers().between(0x30, 0x3F);
        });
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        return Combinators.combine(first, body).as((f, b) -> {
            byte[] out = new byte[2 + b.length];
            out[0] = (byte) (int) f;
            out[1] = (byte) Math.min(b.length, 127);
            System.arraycopy(b, 0, out, 2, b.length);
            return out;
        });
    }

    @Provide
    Arbitrary<byte[]> damaged() {
        return Combinators.combine(PacketArbitraries.anySample(),
                        Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.bytes())
                                .as(Tuple::of).list().ofMaxSize(4),
                        Arbitraries.integers().between(0, 100), Arbitraries.of(true, false))
                .as((sample, edits, cutPercent, repeat) -> {
                    TrackingAllocator alloc = new TrackingAllocator(false);
                    ByteBuf wire = MqttPacketEncoder.encode(sample.packet(), sample.version(), alloc);
                    byte[] b = ByteBufUtil.getBytes(wire);
                    wire.release();
                    for (var edit : edits) {
                        b[edit.get1() % b.length] = edit.get2();
                    }
                    int keep = Math.max(1, b.length * cutPercent / 100);
                    byte[] cut = Arrays.copyOf(b, keep);
                    if (!repeat) {
                        return cut;
                    }
                    byte[] twice = Arrays.copyOf(cut, cut.length * 2);
                    System.arraycopy(cut, 0, twice, cut.length, cut.length);
                    return twice;
                });
    }

    @Provide
    Arbitrary<List<Sample>> stream() {
        return PacketArbitraries.anySample().list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<@Nullable MqttVersion> versionOrNone() {
        return Arbitraries.of(MqttVersion.class).injectNull(0.25);
    }
}
