package dev.tern.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Validation of MQTT UTF-8 strings (MQTT 3.1.1 section 1.5.3): well-formed per RFC 3629 (no overlong
 * forms, no code points above U+10FFFF, no UTF-16 surrogates U+D800..U+DFFF) and no U+0000.
 */
public final class Utf8 {
    private Utf8() {}

    /**
     * Checks {@code length} bytes at {@code index} and returns the violation, or null if they are valid.
     */
    public static @Nullable Violation check(ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        // Most MQTT strings are ASCII: eight bytes per read while none has the high bit set or is zero.
        // The first word that has one goes to the exact loop below, which starts at a character
        // boundary because every byte before it was a one-byte character.
        while (end - i >= 8) {
            long w = buf.getLong(i);
            if ((w & 0x8080_8080_8080_8080L) != 0 || ((w - 0x0101_0101_0101_0101L) & ~w & 0x8080_8080_8080_8080L) != 0) {
                break;
            }
            i += 8;
        }
        while (i < end) {
            int b0 = buf.getByte(i) & 0xFF;
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
                int b = buf.getByte(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80) {
                    return Violation.INVALID_UTF8;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return Violation.INVALID_UTF8;
            }
            i += need + 1;
        }
        return null;
    }

    /** True if the Java string can be sent as an MQTT string: no U+0000 and no unpaired surrogate. */
    public static boolean isValid(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** Decodes already validated bytes. */
    static String decode(ByteBuf buf, int index, int length) {
        return buf.toString(index, length, StandardCharsets.UTF_8);
    }
}
