package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PayloadCopyTest {
    static Stream<ByteBufAllocator> allocators() {
        return Stream.of(PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT, new io.netty.buffer.UnpooledByteBufAllocator(false));
    }

    @Test
    void testsRunWithUnsafeWhereTheLauncherAllowsIt() {
        // The root pom's profile for JDK 24+ passes what bin/tern passes, so that the fast path is tested.
        if (Runtime.version().feature() >= 24) {
            assertThat(PlatformDependent.hasUnsafe()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void copiesTheReadableBytesOfASliceAndMovesBothIndexes(ByteBufAllocator alloc) {
        ByteBuf frame = alloc.directBuffer(64);
        for (int i = 0; i < 40; i++) {
            frame.writeByte(i);
        }
        ByteBuf body = frame.slice(5, 30); // as the frame decoder hands a packet's body over
        body.skipBytes(7);                 // topic and packet id already read
        ByteBuf dst = alloc.buffer(23, 23);
        try {
            PayloadCopy.copy(body, dst, 23);
            assertThat(body.readableBytes()).isZero();
            assertThat(dst.readableBytes()).isEqualTo(23);
            for (int i = 0; i < 23; i++) {
                assertThat(dst.getByte(i)).isEqualTo((byte) (12 + i));
            }
        } finally {
            dst.release();
            frame.release();
        }
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void copiesFromAHeapBufferToo(ByteBufAllocator alloc) {
        ByteBuf src = Unpooled.wrappedBuffer(new byte[] {9, 8, 7, 6});
        ByteBuf dst = alloc.buffer(3, 3);
        try {
            src.skipBytes(1);
            PayloadCopy.copy(src, dst, 3);
            assertThat(dst.readableBytes()).isEqualTo(3);
            assertThat(new byte[] {dst.getByte(0), dst.getByte(1), dst.getByte(2)}).containsExactly(8, 7, 6);
            assertThat(src.readableBytes()).isZero();
        } finally {
            dst.release();
        }
    }

    @ParameterizedTest
    @MethodSource("allocators")
    void anEmptyPayloadCopiesNothing(ByteBufAllocator alloc) {
        ByteBuf src = alloc.directBuffer(4).writeInt(1);
        src.skipBytes(4);
        ByteBuf dst = alloc.buffer(0, 0);
        try {
            PayloadCopy.copy(src, dst, 0);
            assertThat(dst.readableBytes()).isZero();
        } finally {
            dst.release();
            src.release();
        }
    }
}
