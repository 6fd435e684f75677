package dev.tern.codec;

import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What must hold for any input at all, checked by the property tests and the fuzz target: decoding a
 * stream of arbitrary bytes only ever yields {@link DecodeResult} values (never an exception), every
 * packet it yields re-encodes to bytes that decode to an equal packet, Incomplete consumes nothing,
 * and every buffer the codec allocated is released once the packets are.
 */
final class DecoderInvariants {
    private static final Set<Integer> REASON_CODES = Set.of(0x81, 0x82, 0x84, 0x94, 0x95);

    private DecoderInvariants() {}

    /**
     * Decodes {@code data} as a stream of packets on a connection of the given version (null: before
     * CONNECT) until the decoder needs more bytes or reports an error.
     *
     * @param leakAware whether buffers are also tracked by Netty's leak detector (slow)
     * @return the number of packets decoded
     * @throws AssertionError if an invariant does not hold
     */
    static int check(byte[] data, @Nullable MqttVersion version, boolean leakAware) {
        TrackingAllocator alloc = new TrackingAllocator(leakAware);
        MqttPacketDecoder decoder = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc);
        ByteBuf in = Unpooled.wrappedBuffer(data);
        int packets = 0;
        while (true) {
            int start = in.readerIndex();
            DecodeResult r = decoder.decode(in, version);
            if (r == DecodeResult.Incomplete.INSTANCE) {
                check(in.readerIndex() == start, "Incomplete consumed bytes");
                break;
            }
            if (r instanceof DecodeError e) {
                check(REASON_CODES.contains(e.reasonCode()), "reason code " + e.reasonCode());
                check(!e.message().isEmpty(), "empty message");
                check(e.packetType() == null || e.packetType() == PacketType.of((data[start] & 0xFF) >> 4),
                        "packet type " + e.packetType());
                break;
            }
            MqttPacket packet = ((DecodeResult.Decoded) r).packet();
            try {
                int consumed = in.readerIndex() - start;
                check(consumed >= 2 && packet.type() == PacketType.of((data[start] & 0xFF) >> 4),
                        "consumed " + consumed + " bytes for " + packet.type());
                checkPrefixesAreIncomplete(data, start, consumed, version, decoder);
                checkSmallerMaximumRejects(data, start, consumed, version, alloc);
                checkReencodes(packet, consumed, version, alloc);
            } finally {
                if (packet instanceof Publish p) {
                    p.release();
                }
            }
            packets++;
        }
        int unreleased = alloc.unreleased();
        check(unreleased == 0, unreleased + " buffers not released");
        return packets;
    }

    private static void checkPrefixesAreIncomplete(byte[] data, int start, int length, @Nullable MqttVersion version,
                                                   MqttPacketDecoder decoder) {
        for (int prefix : new int[] {1, length / 2, length - 1}) {
            ByteBuf part = Unpooled.wrappedBuffer(data, start, prefix);
            check(decoder.decode(part, version) == DecodeResult.Incomplete.INSTANCE && part.readerIndex() == 0,
                    "prefix of " + prefix + " of " + length + " bytes is not Incomplete");
        }
    }

    private static void checkSmallerMaximumRejects(byte[] data, int start, int length, @Nullable MqttVersion version,
                                                   TrackingAllocator alloc) {
        if (length - 1 < 2) {
            return;
        }
        DecodeResult r = new MqttPacketDecoder(length - 1, alloc).decode(Unpooled.wrappedBuffer(data, start, length),
                version);
        check(r instanceof DecodeError e && e.violation() == Violation.PACKET_TOO_LARGE,
                "a " + length + "-byte packet passed a maximum of " + (length - 1) + ": " + r);
    }

    private static void checkReencodes(MqttPacket packet, int consumed, @Nullable MqttVersion version,
                                       TrackingAllocator alloc) {
        // Before CONNECT the decoder reads everything but CONNECT as MQTT 3.x.
        MqttVersion encodeAs = packet instanceof Connect c ? c.version()
                : version != null ? version : MqttVersion.MQTT_3_1_1;
        ByteBuf wire = MqttPacketEncoder.encode(packet, encodeAs, alloc);
        try {
            int length = wire.readableBytes();
            // The encoder writes the shortest form; the decoder may have read a longer equivalent one.
            check(length <= consumed, "re-encoded to " + length + " bytes from " + consumed);
            DecodeResult again = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, alloc).decode(wire, version);
            check(again instanceof DecodeResult.Decoded, "re-encoded " + packet + " decodes to " + again);
            MqttPacket copy = ((DecodeResult.Decoded) again).packet();
            try {
                check(copy.equals(packet), "round trip changed " + packet + " into " + copy);
                check(!wire.isReadable(), "re-encoded packet has " + wire.readableBytes() + " bytes left");
            } finally {
                if (copy instanceof Publish p) {
                    p.release();
                }
            }
        } finally {
            wire.release();
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** The input as hex, for failure messages. */
    static String describe(byte[] data) {
        return data.length + " bytes: " + HexFormat.ofDelimiter(" ").formatHex(
                Arrays.copyOf(data, Math.min(data.length, 256)));
    }
}
