package dev.tern.codec;

import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed set of valid packets: every packet type in every version that has it, with and without
 * properties. Used where tests need many realistic packets rather than one annotated byte array.
 */
final class SamplePackets {
    private SamplePackets() {}

    /** A packet and the version of the connection it travels on. */
    record Sample(MqttVersion version, MqttPacket packet) {
        @Override
        public String toString() {
            return packet.type() + " " + version.label();
        }
    }

    /** All samples, grouped by version (3.1, then 3.1.1, then 5.0), each group starting with CONNECT. */
    static List<Sample> all() {
        List<Sample> out = new ArrayList<>();
        for (MqttVersion v : MqttVersion.values()) {
            for (MqttPacket p : forVersion(v)) {
                out.add(new Sample(v, p));
            }
        }
        return out;
    }

    static List<MqttPacket> forVersion(MqttVersion v) {
        boolean v5 = v.isV5();
        MqttProperties userProps = v5
                ? MqttProperties.builder().addUserProperty("k", "v").addUserProperty("k", "w").build()
                : MqttProperties.EMPTY;
        MqttProperties ackProps = v5
                ? MqttProperties.builder().reasonString("why").addUserProperty("k", "v").build()
                : MqttProperties.EMPTY;
        MqttProperties publishProps = v5
                ? MqttProperties.builder().payloadFormatIndicator(1).messageExpiryInterval(60L).contentType("text")
                        .responseTopic("r/1").correlationData(new byte[] {1, 2}).addSubscriptionIdentifier(5)
                        .addSubscriptionIdentifier(300).topicAlias(3).addUserProperty("ü", "😀").build()
                : MqttProperties.EMPTY;
        MqttProperties connectProps = v5
                ? MqttProperties.builder().sessionExpiryInterval(120L).receiveMaximum(10).maximumPacketSize(4096L)
                        .topicAliasMaximum(4).requestResponseInformation(1).requestProblemInformation(0)
                        .authenticationMethod("PLAIN").authenticationData(new byte[] {0}).build()
                : MqttProperties.EMPTY;
        MqttProperties willProps = v5
                ? MqttProperties.builder().willDelayInterval(5L).contentType("x").build()
                : MqttProperties.EMPTY;
        MqttProperties connAckProps = v5
                ? MqttProperties.builder().assignedClientIdentifier("auto").serverKeepAlive(30).maximumQos(1)
                        .retainAvailable(1).wildcardSubscriptionAvailable(1).subscriptionIdentifierAvailable(1)
                        .sharedSubscriptionAvailable(0).topicAliasMaximum(8).build()
                : MqttProperties.EMPTY;
        int failure = v5 ? 0x87 : 0x80;
        List<MqttPacket> list = new ArrayList<>(List.of(
                new Connect(v, "client-1", true, 60, null, null, null, MqttProperties.EMPTY),
                new Connect(v, "client-2", false, 65_535, "user", "pass".getBytes(StandardCharsets.UTF_8),
                        new Will("will/topic", new byte[] {1, 2, 3}, QoS.EXACTLY_ONCE, true, willProps),
                        connectProps),
                new ConnAck(v != MqttVersion.MQTT_3_1, 0, connAckProps),
                publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY, "hello"),
                publish("温度/😀", QoS.AT_LEAST_ONCE, true, true, 1, publishProps, "{\"t\":21.5}"),
                publish("t", QoS.EXACTLY_ONCE, false, false, 65_535, MqttProperties.EMPTY, "x".repeat(300)),
                new PubAck(1), new PubRec(2), new PubRel(3), new PubComp(4),
                new Subscribe(5, List.of(new TopicSubscription("a/+", QoS.AT_LEAST_ONCE),
                        new TopicSubscription("#", QoS.EXACTLY_ONCE, v5, v5, v5 ? 2 : 0)), userProps),
                new SubAck(5, List.of(1, 2, failure), ackProps),
                new Unsubscribe(6, List.of("a/+", "#"), userProps),
                v5 ? new UnsubAck(6, List.of(0, 0x11), ackProps) : new UnsubAck(6),
                PingReq.INSTANCE,
                PingResp.INSTANCE,
                Disconnect.NORMAL));
        if (v5) {
            list.addAll(List.of(
                    new PubAck(7, 0x10, ackProps), new PubRec(8, 0x97, ackProps), new PubRel(9, 0x92, ackProps),
                    new PubComp(10, 0x92, ackProps),
                    publish("", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.builder().topicAlias(3).build(), ""),
                    new Disconnect(0x04, MqttProperties.builder().sessionExpiryInterval(0L).build()),
                    new Disconnect(0x8E, ackProps),
                    new Auth(0x18, MqttProperties.builder().authenticationMethod("SCRAM")
                            .authenticationData(new byte[] {9, 8}).build()),
                    new Auth(0, MqttProperties.EMPTY)));
        }
        return list;
    }

    private static Publish publish(String topic, QoS qos, boolean retain, boolean dup, int id, MqttProperties p,
                                   String payload) {
        return new Publish(topic, qos, retain, dup, id, p,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }
}
