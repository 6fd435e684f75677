package dev.tern.codec;

import io.netty.buffer.ByteBuf;

/** The variable byte integer of the fixed header's remaining length and of MQTT 5.0 properties. */
final class VarInt {
    private VarInt() {}

    static int size(int value) {
        if (value < 128) {
            return 1;
        } else if (value < 16_384) {
            return 2;
        } else if (value < 2_097_152) {
            return 3;
        } else if (value <= MqttPacketDecoder.MAX_REMAINING_LENGTH) {
            return 4;
        }
        throw new IllegalArgumentException("value too large for a variable byte integer: " + value);
    }

    static void write(ByteBuf out, int value) {
        do {
            int b = value & 0x7F;
            value >>>= 7;
            out.writeByte(value > 0 ? b | 0x80 : b);
        } while (value > 0);
    }
}
