package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/** The control packet types, with the value of the fixed header's upper four bits. */
public enum PacketType {
    CONNECT(1), CONNACK(2), PUBLISH(3), PUBACK(4), PUBREC(5), PUBREL(6), PUBCOMP(7),
    SUBSCRIBE(8), SUBACK(9), UNSUBSCRIBE(10), UNSUBACK(11), PINGREQ(12), PINGRESP(13),
    DISCONNECT(14), AUTH(15);

    private static final PacketType[] BY_VALUE = new PacketType[16];

    static {
        for (PacketType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    private final int value;

    PacketType(int value) {
        this.value = value;
    }

    /** The 4-bit packet type value. */
    public int value() {
        return value;
    }

    /** The type for a 4-bit value, or null for the reserved value 0. */
    public static @Nullable PacketType of(int value) {
        return value >= 0 && value < 16 ? BY_VALUE[value] : null;
    }

    /**
     * The fixed header flags the specification requires for this type (MQTT-2.2.2-1), or -1 for
     * PUBLISH, whose flags carry DUP, QoS and RETAIN.
     */
    public int requiredFlags() {
        return switch (this) {
            case PUBLISH -> -1;
            case PUBREL, SUBSCRIBE, UNSUBSCRIBE -> 0b0010;
            default -> 0;
        };
    }
}
