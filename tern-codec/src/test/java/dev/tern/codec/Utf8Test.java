package dev.tern.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8#check}, whose ASCII fast path reads eight bytes at a time, against the byte-at-a-time
 * check it replaced and against the JDK's strict UTF-8 decoder, at every alignment, in heap and
 * direct buffers [MQTT-1.5.4-1, MQTT-1.5.4-2].
 */
class Utf8Test {

    /** The check as it was before the fast path, one byte at a time: the exact reference. */
    private static @Nullable Violation byteByByte(byte[] b, int index, int length) {
        int i = index;
        int end = index + length;
        while (i < end) {
            int b0 = b[i] & 0xFF;
            if (b0 < 0x80) {
                if (b0 == 0) {
                    return Violation.NULL_CHARACTER;
                }
                i++;
                continue;
            }
            int need;
            int min;
            int cp;
            if ((b0 & 0xE0) == 0xC0) {
                need = 1;
                min = 0x80;
                cp = b0 & 0x1F;
            } else if ((b0 & 0xF0) == 0xE0) {
                need = 2;
                min = 0x800;
                cp = b0 & 0x0F;
            } else if ((b0 & 0xF8) == 0xF0) {
                need = 3;
                min = 0x10000;
                cp = b0 & 0x07;
            } else {
                return Violation.INVALID_UTF8;
            }
            if (i + need >= end) {
                return Violation.INVALID_UTF8;
            }
            for (int k = 1; k <= need; k++) {
                int c = b[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return Violation.INVALID_UTF8;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return Violation.INVALID_UTF8;
            }
            i += need + 1;
        }
        return null;
    }

    /** Valid by the JDK: well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) and no U+0000. */
    private static boolean jdkValid(byte[] b, int index, int length) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, index, length))
                    .toString();
            return s.indexOf('\0') < 0;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void assertAgrees(byte[] bytes, int index, int length) {
        Violation expected = byteByByte(bytes, index, length);
        assertThat(expected == null).as("reference and JDK agree").isEqualTo(jdkValid(bytes, index, length));
        ByteBuf heap = Unpooled.wrappedBuffer(bytes);
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        try {
            assertThat(Utf8.check(heap, index, length)).as("heap").isEqualTo(expected);
            assertThat(Utf8.check(direct, index, length)).as("direct").isEqualTo(expected);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Provide
    Arbitrary<byte[]> mostlyText() {
        // Runs of ASCII with, now and then, a zero, a stray continuation or lead byte, or a real
        // multi-byte character, so that every branch of the check meets every alignment.
        Arbitrary<byte[]> piece = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(20)
                        .map(s -> s.replace('\0', 'x').getBytes(StandardCharsets.US_ASCII))),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("ü", "温", "😀", "\uFFFF", "\u0800", "\u07FF")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8))),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().map(b -> new byte[] {b})),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(new byte[] {0}, new byte[] {(byte) 0xC0, (byte) 0x80},
                        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90,
                            (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82})));
        return piece.list().ofMaxSize(12).map(parts -> {
            int n = parts.stream().mapToInt(p -> p.length).sum();
            byte[] out = new byte[n];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        });
    }

    @Property(tries = 2000)
    void fastPathAgreesWithByteByByteCheck(@ForAll("mostlyText") byte[] text, @ForAll @IntRange(max = 9) int before,
                                           @ForAll @IntRange(max = 9) int after) {
        byte[] bytes = new byte[before + text.length + after];
        // Bytes around the string must not be read: make them invalid.
        java.util.Arrays.fill(bytes, (byte) 0xFF);
        System.arraycopy(text, 0, bytes, before, text.length);
        assertAgrees(bytes, before, text.length);
    }

    @Property(tries = 1000)
    void arbitraryBytesAgree(@ForAll byte[] bytes) {
        assertAgrees(bytes, 0, bytes.length);
    }

    @Test
    @DisplayName("A zero or a non-ASCII byte is found in every position of an eight-byte word")
    void everyPositionOfAWord() {
        for (int len = 1; len <= 24; len++) {
            for (int pos = 0; pos < len; pos++) {
                for (byte bad : new byte[] {0, (byte) 0x80, (byte) 0xC3, (byte) 0xFF}) {
                    byte[] b = "abcdefghijklmnopqrstuvwx".substring(0, len).getBytes(StandardCharsets.US_ASCII);
                    b[pos] = bad;
                    assertAgrees(b, 0, len);
                }
            }
        }
        byte[] ok = "sites/site-00042/rooms/room-3/temperature".getBytes(StandardCharsets.US_ASCII);
        assertThat(Utf8.check(Unpooled.wrappedBuffer(ok), 0, ok.length)).isNull();
    }
}
