package dev.tern.broker.spec.v5;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An MQTT 5.0 property block written byte by byte (identifier, value), so that a test shows exactly the
 * properties it sends, including repeated, misplaced or out-of-range ones. {@link #block()} prefixes the
 * property length.
 */
final class Props {
    // Property identifiers (MQTT 5.0 section 2.2.2.2).
    static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    static final int CONTENT_TYPE = 0x03;
    static final int RESPONSE_TOPIC = 0x08;
    static final int CORRELATION_DATA = 0x09;
    static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    static final int SESSION_EXPIRY_INTERVAL = 0x11;
    static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
    static final int SERVER_KEEP_ALIVE = 0x13;
    static final int AUTHENTICATION_METHOD = 0x15;
    static final int AUTHENTICATION_DATA = 0x16;
    static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    static final int WILL_DELAY_INTERVAL = 0x18;
    static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    static final int RESPONSE_INFORMATION = 0x1A;
    static final int REASON_STRING = 0x1F;
    static final int RECEIVE_MAXIMUM = 0x21;
    static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    static final int TOPIC_ALIAS = 0x23;
    static final int MAXIMUM_QOS = 0x24;
    static final int RETAIN_AVAILABLE = 0x25;
    static final int USER_PROPERTY = 0x26;
    static final int MAXIMUM_PACKET_SIZE = 0x27;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Props() {}

    static Props of() {
        return new Props();
    }

    /** No properties: a property length of 0. */
    static Props none() {
        return new Props();
    }

    Props u8(int id, int value) {
        out.write(id);
        out.write(value);
        return this;
    }

    Props u16(int id, int value) {
        out.write(id);
        out.write(value >> 8);
        out.write(value & 0xFF);
        return this;
    }

    Props u32(int id, long value) {
        out.write(id);
        out.write((int) (value >> 24) & 0xFF);
        out.write((int) (value >> 16) & 0xFF);
        out.write((int) (value >> 8) & 0xFF);
        out.write((int) value & 0xFF);
        return this;
    }

    Props varInt(int id, int value) {
        out.write(id);
        out.writeBytes(varInt(value));
        return this;
    }

    Props utf8(int id, String value) {
        out.write(id);
        string(value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    Props binary(int id, byte[] value) {
        out.write(id);
        string(value);
        return this;
    }

    Props userProperty(String name, String value) {
        out.write(USER_PROPERTY);
        string(name.getBytes(StandardCharsets.UTF_8));
        string(value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Raw bytes inside the block, e.g. a malformed property. */
    Props raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    private void string(byte[] b) {
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    /** Property length and properties. */
    byte[] block() {
        byte[] content = out.toByteArray();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(varInt(content.length));
        b.writeBytes(content);
        return b.toByteArray();
    }

    static byte[] varInt(int value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(4);
        int v = value;
        do {
            int digit = v % 128;
            v /= 128;
            b.write(v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
        return b.toByteArray();
    }
}
