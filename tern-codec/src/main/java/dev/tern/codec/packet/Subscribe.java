package dev.tern.codec.packet;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.PacketType;
import java.util.List;
import java.util.Objects;

/**
 * SUBSCRIBE.
 *
 * @param packetId      packet identifier
 * @param subscriptions the filters with their options; never empty
 * @param properties    MQTT 5.0 properties; empty for 3.x
 */
public record Subscribe(int packetId, List<TopicSubscription> subscriptions, MqttProperties properties)
        implements MqttPacket {
    public Subscribe {
        Checks.checkPacketId(packetId);
        subscriptions = List.copyOf(subscriptions);
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
