package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.Objects;

/**
 * DISCONNECT.
 *
 * @param reasonCode MQTT 5.0 reason code; 0 for 3.x
 * @param properties MQTT 5.0 properties; empty for 3.x
 */
public record Disconnect(int reasonCode, MqttProperties properties) implements MqttPacket {
    /** A normal disconnection without properties, the only form MQTT 3.x has. */
    public static final Disconnect NORMAL = new Disconnect(0, MqttProperties.EMPTY);

    public Disconnect {
        Checks.checkByte(reasonCode);
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
