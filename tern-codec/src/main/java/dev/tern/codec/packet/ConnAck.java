package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.Objects;

/**
 * CONNACK.
 *
 * @param sessionPresent session present flag
 * @param reasonCode     3.x return code (0..5) or 5.0 reason code
 * @param properties     MQTT 5.0 properties; empty for 3.x
 */
public record ConnAck(boolean sessionPresent, int reasonCode, MqttProperties properties) implements MqttPacket {
    public ConnAck {
        Objects.requireNonNull(properties, "properties");
        Checks.checkByte(reasonCode);
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }

}
