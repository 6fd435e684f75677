package dev.tern.codec;

import io.netty.buffer.ByteBuf;

/**
 * Bounds-checked reads of MQTT data types from one packet body. A violation throws
 * {@link MalformedException}, which {@link MqttPacketDecoder} turns into a {@link DecodeError} value.
 */
final class BodyReader {
    private final ByteBuf buf;
    private final PacketType type;

    BodyReader(ByteBuf body, PacketType type) {
        this.buf = body;
        this.type = type;
    }

    ByteBuf buffer() {
        return buf;
    }

    PacketType type() {
        return type;
    }

    int remaining() {
        return buf.readableBytes();
    }

    boolean hasRemaining() {
        return buf.isReadable();
    }

    MalformedException error(Violation v, String detail) {
        return new MalformedException(v, type, detail);
    }

    private void need(int n, String field) {
        if (buf.readableBytes() < n) {
            throw error(Violation.TRUNCATED, field);
        }
    }

    int u8(String field) {
        need(1, field);
        return buf.readUnsignedByte();
    }

    int u16(String field) {
        need(2, field);
        return buf.readUnsignedShort();
    }

    long u32(String field) {
        need(4, field);
        return buf.readUnsignedInt();
    }

    int packetId() {
        int id = u16("packet identifier");
        if (id == 0) {
            throw error(Violation.PACKET_ID_ZERO, "");
        }
        return id;
    }

    /** Variable byte integer (MQTT 5.0 section 1.5.5), at most four bytes. */
    int varInt(String field) {
        int value = 0;
        int shift = 0;
        for (int i = 0; i < 4; i++) {
            int b = u8(field);
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
        throw error(Violation.INVALID_VARIABLE_BYTE_INTEGER, field);
    }

    /** The two-byte length prefix of a string or binary field; the label is built only for an error. */
    private int lengthOf(String field) {
        if (buf.readableBytes() < 2) {
            throw error(Violation.TRUNCATED, field + " length");
        }
        return buf.readUnsignedShort();
    }

    String utf8(String field) {
        int len = lengthOf(field);
        need(len, field);
        int index = buf.readerIndex();
        Violation v = Utf8.check(buf, index, len);
        if (v != null) {
            throw error(v, field);
        }
        String s = Utf8.decode(buf, index, len);
        buf.skipBytes(len);
        return s;
    }

    byte[] binary(String field) {
        int len = lengthOf(field);
        need(len, field);
        byte[] bytes = new byte[len];
        buf.readBytes(bytes);
        return bytes;
    }

    void expectEnd() {
        if (buf.isReadable()) {
            throw error(Violation.TRAILING_BYTES, buf.readableBytes() + " extra bytes");
        }
    }

    /** Thrown inside the decoder only; carries no stack trace because it is control flow. */
    static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private transient DecodeError decodeError;

        MalformedException(Violation violation, PacketType type, String detail) {
            super(violation.name(), null, false, false);
            this.decodeError = new DecodeError(violation, type, detail);
        }

        DecodeError decodeError() {
            return decodeError;
        }

        /** The same error, noting the protocol version of the CONNECT it is in. */
        MalformedException inConnectOf(MqttVersion version) {
            DecodeError e = decodeError;
            MalformedException m = new MalformedException(e.violation(), e.packetType(), e.detail());
            m.decodeError = new DecodeError(e.violation(), e.packetType(), e.detail(), version);
            return m;
        }
    }
}
