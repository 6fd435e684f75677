package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/**
 * The MQTT 5.0 property identifiers (section 2.2.2.2) with their wire type, the packets that may
 * carry them and whether they may repeat.
 */
public enum PropertyId {
    PAYLOAD_FORMAT_INDICATOR(0x01, Type.BYTE, false, Where.PUBLISH_AND_WILL),
    MESSAGE_EXPIRY_INTERVAL(0x02, Type.FOUR_BYTE, false, Where.PUBLISH_AND_WILL),
    CONTENT_TYPE(0x03, Type.UTF8, false, Where.PUBLISH_AND_WILL),
    RESPONSE_TOPIC(0x08, Type.UTF8, false, Where.PUBLISH_AND_WILL),
    CORRELATION_DATA(0x09, Type.BINARY, false, Where.PUBLISH_AND_WILL),
    SUBSCRIPTION_IDENTIFIER(0x0B, Type.VARINT, true, Where.of(PacketType.PUBLISH, PacketType.SUBSCRIBE)),
    SESSION_EXPIRY_INTERVAL(0x11, Type.FOUR_BYTE, false,
            Where.of(PacketType.CONNECT, PacketType.CONNACK, PacketType.DISCONNECT)),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, Type.UTF8, false, Where.of(PacketType.CONNACK)),
    SERVER_KEEP_ALIVE(0x13, Type.TWO_BYTE, false, Where.of(PacketType.CONNACK)),
    AUTHENTICATION_METHOD(0x15, Type.UTF8, false, Where.of(PacketType.CONNECT, PacketType.CONNACK, PacketType.AUTH)),
    AUTHENTICATION_DATA(0x16, Type.BINARY, false, Where.of(PacketType.CONNECT, PacketType.CONNACK, PacketType.AUTH)),
    REQUEST_PROBLEM_INFORMATION(0x17, Type.BYTE, false, Where.of(PacketType.CONNECT)),
    WILL_DELAY_INTERVAL(0x18, Type.FOUR_BYTE, false, Where.WILL),
    REQUEST_RESPONSE_INFORMATION(0x19, Type.BYTE, false, Where.of(PacketType.CONNECT)),
    RESPONSE_INFORMATION(0x1A, Type.UTF8, false, Where.of(PacketType.CONNACK)),
    SERVER_REFERENCE(0x1C, Type.UTF8, false, Where.of(PacketType.CONNACK, PacketType.DISCONNECT)),
    REASON_STRING(0x1F, Type.UTF8, false, Where.of(PacketType.CONNACK, PacketType.PUBACK, PacketType.PUBREC,
            PacketType.PUBREL, PacketType.PUBCOMP, PacketType.SUBACK, PacketType.UNSUBACK,
            PacketType.DISCONNECT, PacketType.AUTH)),
    RECEIVE_MAXIMUM(0x21, Type.TWO_BYTE, false, Where.of(PacketType.CONNECT, PacketType.CONNACK)),
    TOPIC_ALIAS_MAXIMUM(0x22, Type.TWO_BYTE, false, Where.of(PacketType.CONNECT, PacketType.CONNACK)),
    TOPIC_ALIAS(0x23, Type.TWO_BYTE, false, Where.of(PacketType.PUBLISH)),
    MAXIMUM_QOS(0x24, Type.BYTE, false, Where.of(PacketType.CONNACK)),
    RETAIN_AVAILABLE(0x25, Type.BYTE, false, Where.of(PacketType.CONNACK)),
    USER_PROPERTY(0x26, Type.UTF8_PAIR, true, Where.ALL),
    MAXIMUM_PACKET_SIZE(0x27, Type.FOUR_BYTE, false, Where.of(PacketType.CONNECT, PacketType.CONNACK)),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, Type.BYTE, false, Where.of(PacketType.CONNACK)),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, Type.BYTE, false, Where.of(PacketType.CONNACK)),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, Type.BYTE, false, Where.of(PacketType.CONNACK));

    /** The wire encoding of a property value. */
    public enum Type { BYTE, TWO_BYTE, FOUR_BYTE, VARINT, UTF8, BINARY, UTF8_PAIR }

    /** Bit masks of where a property may appear: bit n for packet type n, bit 16 for will properties. */
    static final class Where {
        static final int WILL = 1 << 16;
        static final int PUBLISH_AND_WILL = (1 << PacketType.PUBLISH.value()) | WILL;
        static final int ALL = 0x1FFFF;

        static int of(PacketType... types) {
            int mask = 0;
            for (PacketType t : types) {
                mask |= 1 << t.value();
            }
            return mask;
        }

        private Where() {}
    }

    private static final PropertyId[] BY_ID = new PropertyId[0x2B];

    static {
        for (PropertyId p : values()) {
            BY_ID[p.id] = p;
        }
    }

    private final int id;
    private final Type type;
    private final boolean repeatable;
    private final int where;

    PropertyId(int id, Type type, boolean repeatable, int where) {
        this.id = id;
        this.type = type;
        this.repeatable = repeatable;
        this.where = where;
    }

    /** The identifier byte. */
    public int id() {
        return id;
    }

    /** The wire type. */
    public Type type() {
        return type;
    }

    /** True if the property may appear more than once in one packet. */
    public boolean repeatable() {
        return repeatable;
    }

    /** True if the property may appear in the given packet's properties. */
    public boolean allowedIn(PacketType packetType) {
        return (where & (1 << packetType.value())) != 0;
    }

    /** True if the property may appear in CONNECT's will properties. */
    public boolean allowedInWill() {
        return (where & Where.WILL) != 0;
    }

    /** The property for an identifier, or null if the identifier is not defined. */
    public static @Nullable PropertyId of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
