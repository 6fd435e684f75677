package dev.tern.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Writes MQTT strings and binary data with their two-byte length prefix. */
final class Wire {
    private Wire() {}

    /** Encoded size of a string: prefix plus UTF-8 bytes. */
    static int stringSize(String s) {
        int n = ByteBufUtil.utf8Bytes(s);
        if (n > Topics.MAX_LENGTH) {
            throw new IllegalArgumentException("string longer than 65535 bytes in UTF-8");
        }
        return 2 + n;
    }

    /**
     * Encoded size of binary data: prefix plus bytes. Checked here, while sizing, so that no buffer
     * has been allocated yet when a packet turns out not to be expressible.
     */
    static int binarySize(byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("binary data longer than 65535 bytes");
        }
        return 2 + b.length;
    }

    static void writeString(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int written = ByteBufUtil.writeUtf8(out, s);
        out.setShort(lengthIndex, written);
    }

    static void writeBinary(ByteBuf out, byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("binary data longer than 65535 bytes");
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }
}
