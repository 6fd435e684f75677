package dev.tern.broker.spec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Builds MQTT packets byte by byte, so that a spec test shows exactly what goes on the wire,
 * including broken encodings. The remaining length is computed unless given explicitly.
 */
public final class Bytes {
    private final int firstByte;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private Bytes(int firstByte) {
        this.firstByte = firstByte;
    }

    /** A packet whose fixed header starts with this byte (type and flags). */
    public static Bytes packet(int firstByte) {
        return new Bytes(firstByte);
    }

    /** Appends single bytes. */
    public Bytes u8(int... values) {
        for (int v : values) {
            body.write(v);
        }
        return this;
    }

    /** Appends a two-byte big-endian integer. */
    public Bytes u16(int value) {
        body.write(value >> 8);
        body.write(value & 0xFF);
        return this;
    }

    /** Appends a length-prefixed UTF-8 string. */
    public Bytes utf8(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends a length-prefixed string made of the given bytes (which need not be valid UTF-8). */
    public Bytes string(byte[] raw) {
        u16(raw.length);
        body.writeBytes(raw);
        return this;
    }

    /** Appends bytes as they are. */
    public Bytes raw(byte[] raw) {
        body.writeBytes(raw);
        return this;
    }

    /** Appends the UTF-8 bytes of a string without a length prefix (a payload). */
    public Bytes payload(String s) {
        return raw(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The whole packet: first byte, remaining length, body. */
    public byte[] build() {
        byte[] b = body.toByteArray();
        return concat(new byte[] {(byte) firstByte}, remainingLength(b.length), b);
    }

    /** MQTT's variable-length encoding of a remaining length. */
    public static byte[] remainingLength(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4);
        int v = value;
        do {
            int digit = v % 128;
            v /= 128;
            out.write(v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
        return out.toByteArray();
    }

    /** Bytes given as ints 0..255. */
    public static byte[] of(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
