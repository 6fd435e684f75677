package dev.tern.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Copies a payload out of the read buffer. Netty's {@code writeBytes(ByteBuf, int)} between two
 * pooled direct buffers goes through NIO views, a {@code DirectByteBuffer} object or two per copy;
 * with memory addresses on both sides one {@code copyMemory} does it without garbage, which matters
 * because every PUBLISH is copied once.
 */
final class PayloadCopy {
    /**
     * Netty can report memory addresses without {@code sun.misc.Unsafe} (it is off by default on Java
     * 25 unless {@code --sun-misc-unsafe-memory-access=allow}, which the launcher passes), but only
     * Unsafe can copy between them.
     */
    private static final boolean UNSAFE = PlatformDependent.hasUnsafe();

    private PayloadCopy() {}

    /** Moves {@code length} readable bytes of {@code src} to the writable end of {@code dst}. */
    static void copy(ByteBuf src, ByteBuf dst, int length) {
        if (UNSAFE && length > 0 && src.hasMemoryAddress() && dst.hasMemoryAddress() && dst.writableBytes() >= length
                && src.readableBytes() >= length) {
            PlatformDependent.copyMemory(src.memoryAddress() + src.readerIndex(),
                    dst.memoryAddress() + dst.writerIndex(), length);
            src.skipBytes(length);
            dst.writerIndex(dst.writerIndex() + length);
        } else {
            dst.writeBytes(src, length);
        }
    }
}
