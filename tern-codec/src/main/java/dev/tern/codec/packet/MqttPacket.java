package dev.tern.codec.packet;

import dev.tern.codec.PacketType;

/** One MQTT control packet. The set is closed: a switch over it is exhaustive. */
public sealed interface MqttPacket
        permits Connect, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck,
                Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

    /** The packet's type. */
    PacketType type();
}
