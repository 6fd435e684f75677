package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.Objects;

/**
 * AUTH (MQTT 5.0 only).
 *
 * @param reasonCode reason code: 0x00, 0x18 or 0x19
 * @param properties properties (authentication method and data)
 */
public record Auth(int reasonCode, MqttProperties properties) implements MqttPacket {
    public Auth {
        Checks.checkByte(reasonCode);
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
