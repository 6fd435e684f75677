package dev.tern.client;

import dev.tern.codec.packet.MqttPacket;

/**
 * Sees every packet the client sends and receives, on the event loop, before it is processed (a
 * received PUBLISH's payload is valid only during the call). For debugging and tools.
 */
public interface PacketTrace {
    /** A packet is about to be written. */
    void sent(MqttPacket packet);

    /** A packet was received. */
    void received(MqttPacket packet);
}
