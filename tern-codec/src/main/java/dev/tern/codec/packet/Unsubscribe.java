package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.List;
import java.util.Objects;

/**
 * UNSUBSCRIBE.
 *
 * @param packetId   packet identifier
 * @param filters    the topic filters; never empty
 * @param properties MQTT 5.0 properties; empty for 3.x
 */
public record Unsubscribe(int packetId, List<String> filters, MqttProperties properties) implements MqttPacket {
    public Unsubscribe {
        Checks.checkPacketId(packetId);
        filters = List.copyOf(filters);
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
