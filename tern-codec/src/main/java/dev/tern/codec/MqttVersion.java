package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/** The protocol levels Tern speaks, with the protocol name each one uses in CONNECT. */
public enum MqttVersion {
    /** MQTT 3.1 (IBM), protocol name {@code MQIsdp}, level 3. */
    MQTT_3_1(3, "MQIsdp"),
    /** MQTT 3.1.1 (OASIS), protocol name {@code MQTT}, level 4. */
    MQTT_3_1_1(4, "MQTT"),
    /** MQTT 5.0 (OASIS), protocol name {@code MQTT}, level 5. */
    MQTT_5(5, "MQTT");

    private final int level;
    private final String protocolName;

    MqttVersion(int level, String protocolName) {
        this.level = level;
        this.protocolName = protocolName;
    }

    /** The protocol level byte of CONNECT. */
    public int level() {
        return level;
    }

    /** The protocol name of CONNECT. */
    public String protocolName() {
        return protocolName;
    }

    /** True for MQTT 5.0, the only level with properties and reason codes on every acknowledgement. */
    public boolean isV5() {
        return this == MQTT_5;
    }

    /** The version for a protocol name and level, or null if the pair is not one Tern knows. */
    public static @Nullable MqttVersion of(String protocolName, int level) {
        for (MqttVersion v : values()) {
            if (v.level == level && v.protocolName.equals(protocolName)) {
                return v;
            }
        }
        return null;
    }

    /** A short label for logs, like Mosquitto's {@code p2}/{@code p4}/{@code p5}. */
    public String label() {
        return switch (this) {
            case MQTT_3_1 -> "3.1";
            case MQTT_3_1_1 -> "3.1.1";
            case MQTT_5 -> "5.0";
        };
    }
}
