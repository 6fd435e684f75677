package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 4.9: flow control with Receive Maximum, in both directions. */
class Section4_9_FlowControlTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.3.4-9] [MQTT-4.9.0-1] [MQTT-4.9.0-2] a client withholding PUBACKs never has more "
            + "unacknowledged QoS 1 messages than its Receive Maximum; each PUBACK lets one more through")
    void receiveMaximumOutbound() throws IOException {
        MqttTestClient sub = open5();
        connAck(sub, V5Packets.connect("slow", CLEAN_START, 60, Props.of().u16(Props.RECEIVE_MAXIMUM, 2)));
        subscribe5(sub, 1, Props.none(), "rm/#", 1, 1);
        MqttTestClient pub = connect5("pub");
        for (int i = 0; i < 6; i++) {
            pub.raw().send(V5Packets.publish(0x02, "rm/a", i + 1, Props.none(), "m" + i));
            pub.expect(PubAck.class);
        }
        Publish first = nextPublish(sub);
        Publish second = nextPublish(sub);
        assertThat(List.of(MqttTestClient.text(first), MqttTestClient.text(second))).containsExactly("m0", "m1");
        assertThat(sub.raw().staysSilent(Duration.ofMillis(300))).as("quota 0: nothing more").isTrue();
        List<String> rest = new ArrayList<>();
        sub.raw().send(V5Packets.puback(first.packetId()));
        Publish third = nextPublish(sub);
        rest.add(MqttTestClient.text(third));
        assertThat(sub.raw().staysSilent(Duration.ofMillis(200))).isTrue();
        sub.raw().send(V5Packets.puback(second.packetId()));
        sub.raw().send(V5Packets.puback(third.packetId()));
        for (int i = 0; i < 2; i++) {
            Publish p = nextPublish(sub);
            rest.add(MqttTestClient.text(p));
            sub.raw().send(V5Packets.puback(p.packetId()));
        }
        rest.add(MqttTestClient.text(nextPublish(sub)));
        assertThat(rest).containsExactly("m2", "m3", "m4", "m5");
    }

    @Test
    @DisplayName("[MQTT-3.3.4-10] [MQTT-4.9.0-3] with the quota at zero QoS 0 messages, PINGRESP and SUBACK still "
            + "flow")
    void otherPacketsNotHeldBack() throws IOException {
        MqttTestClient sub = open5();
        connAck(sub, V5Packets.connect("slow", CLEAN_START, 60, Props.of().u16(Props.RECEIVE_MAXIMUM, 1)));
        subscribe5(sub, 1, Props.none(), "rm/#", 1, 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "rm/a", 1, Props.none(), "held"));
        assertThat(nextPublish(sub).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertAlive(sub);
        subscribe5(sub, 2, Props.none(), "other", 0, 0);
        pub.raw().send(V5Packets.publish0("other", "qos0"));
        assertPublish(nextPublish(sub), "other", "qos0", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-4.9.0-1] [MQTT-4.4.0-1] a session resumed with a smaller Receive Maximum re-sends only as "
            + "many unacknowledged messages as it allows, the rest as PUBACKs come")
    void resendWithinReceiveMaximum() throws IOException {
        Props session = Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60);
        MqttTestClient sub = connect5("s", session);
        subscribe5(sub, 1, Props.none(), "rs/#", 1, 1);
        MqttTestClient pub = connect5("pub");
        for (int i = 0; i < 3; i++) {
            pub.raw().send(V5Packets.publish(0x02, "rs/a", i + 1, Props.none(), "m" + i));
            pub.expect(PubAck.class);
        }
        for (int i = 0; i < 3; i++) {
            nextPublish(sub);
        }
        sub.close();
        awaitOffline("s");
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("s", 0, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)
                .u16(Props.RECEIVE_MAXIMUM, 1)));
        Publish p = nextPublish(again);
        assertThat(p.dup()).isTrue();
        assertThat(MqttTestClient.text(p)).isEqualTo("m0");
        assertThat(again.raw().staysSilent(Duration.ofMillis(300))).isTrue();
        again.raw().send(V5Packets.puback(p.packetId()));
        Publish q = nextPublish(again);
        assertThat(MqttTestClient.text(q)).isEqualTo("m1");
        assertThat(q.dup()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] a client with more unacknowledged QoS 2 messages than the broker's Receive "
            + "Maximum gets DISCONNECT 0x93")
    void receiveMaximumInbound() throws IOException {
        startBroker(b -> b.maxInflightMessages(2));
        MqttTestClient pub = connect5("pub");
        for (int id = 1; id <= 2; id++) {
            pub.raw().send(V5Packets.publish(0x04, "in/a", id, Props.none(), "x"));
            pub.expect(PubRec.class);
        }
        pub.raw().send(V5Packets.publish(0x0C, "in/a", 2, Props.none(), "re-sent, same id: fine"));
        pub.expect(PubRec.class);
        pub.raw().send(V5Packets.publish(0x04, "in/a", 3, Props.none(), "third"));
        assertDisconnect(pub, ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED);
    }

    private void awaitOffline(String clientId) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !broker().broker().sessionInfo(clientId).join()
                .orElseThrow().connected());
    }
}
