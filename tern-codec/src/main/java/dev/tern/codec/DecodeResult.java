package dev.tern.codec;

import dev.tern.codec.packet.MqttPacket;

/**
 * The outcome of one decode attempt: not enough bytes yet, a packet, or the rule the bytes broke.
 */
public sealed interface DecodeResult permits DecodeResult.Incomplete, DecodeResult.Decoded, DecodeError {

    /** The bytes so far are a prefix of a packet; nothing was consumed. */
    enum Incomplete implements DecodeResult {
        /** The one value. */
        INSTANCE
    }

    /**
     * A whole packet; its bytes were consumed.
     *
     * @param packet the packet (a {@link dev.tern.codec.packet.Publish} holds a payload reference the caller owns)
     */
    record Decoded(MqttPacket packet) implements DecodeResult {}
}
