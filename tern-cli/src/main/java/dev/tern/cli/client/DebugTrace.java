package dev.tern.cli.client;

import dev.tern.client.PacketTrace;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.Unsubscribe;
import java.io.PrintStream;

/** {@code -d}: one line per packet, worded like libmosquitto's debug log. */
final class DebugTrace implements PacketTrace {
    private final String clientId;
    private final PrintStream out;

    DebugTrace(String clientId, PrintStream out) {
        this.clientId = clientId;
        this.out = out;
    }

    @Override
    public void sent(MqttPacket packet) {
        out.println("Client " + clientId + " sending " + describe(packet));
    }

    @Override
    public void received(MqttPacket packet) {
        out.println("Client " + clientId + " received " + describe(packet));
    }

    static String describe(MqttPacket packet) {
        return switch (packet) {
            case Publish p -> "PUBLISH (d" + (p.dup() ? 1 : 0) + ", q" + p.qos().value() + ", r" + (p.retain() ? 1 : 0)
                    + ", m" + p.packetId() + ", '" + p.topic() + "', ... (" + p.payload().readableBytes() + " bytes))";
            case ConnAck c -> "CONNACK (" + c.reasonCode() + ")";
            case PubAck a -> "PUBACK (Mid: " + a.packetId() + ", RC:" + a.reasonCode() + ")";
            case PubRec a -> "PUBREC (Mid: " + a.packetId() + ")";
            case PubRel a -> "PUBREL (Mid: " + a.packetId() + ")";
            case PubComp a -> "PUBCOMP (Mid: " + a.packetId() + ")";
            case Subscribe s -> {
                StringBuilder b = new StringBuilder("SUBSCRIBE (Mid: " + s.packetId());
                for (TopicSubscription t : s.subscriptions()) {
                    b.append(", Topic: ").append(t.filter()).append(", QoS: ").append(t.qos().value());
                }
                yield b.append(')').toString();
            }
            case SubAck s -> "SUBACK";
            case Unsubscribe u -> "UNSUBSCRIBE (Mid: " + u.packetId() + ", Topic: " + String.join(", ", u.filters()) + ")";
            default -> packet.type().name();
        };
    }
}
