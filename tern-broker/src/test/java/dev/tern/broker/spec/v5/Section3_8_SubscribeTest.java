package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.UnsubAck;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 sections 3.8 to 3.11: SUBSCRIBE options, SUBACK and UNSUBACK reason codes. */
class Section3_8_SubscribeTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.8.3-3] No Local: a client's own messages do not come back on that subscription")
    void noLocal() throws IOException {
        MqttTestClient c = connect5("self");
        subscribe5(c, 1, Props.none(), FENCE, 0, 0);
        subscribe5(c, 2, Props.none(), "nl/#", V5Packets.NO_LOCAL, 0);
        c.raw().send(V5Packets.publish0("nl/a", "mine"));
        assertNextPublishIsFence5(c, c);
        MqttTestClient other = connect5("other");
        other.raw().send(V5Packets.publish0("nl/a", "theirs"));
        assertPublish(nextPublish(c), "nl/a", "theirs", QoS.AT_MOST_ONCE, false);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling 0 sends retained messages on "
            + "every SUBSCRIBE, 1 only for a new subscription, 2 never")
    void retainHandling() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x01, "rh/a", 0, Props.none(), "kept"));
        awaitRetained(1);
        MqttTestClient c = connect5("c");
        subscribe5(c, 1, Props.none(), FENCE, 0, 0);
        subscribe5(c, 2, Props.none(), "rh/#", 0, 0);
        assertPublish(nextPublish(c), "rh/a", "kept", QoS.AT_MOST_ONCE, true);
        subscribe5(c, 3, Props.none(), "rh/#", 0, 0);
        assertPublish(nextPublish(c), "rh/a", "kept", QoS.AT_MOST_ONCE, true); // MQTT-3.8.4-4: re-sent
        subscribe5(c, 4, Props.none(), "rh/+", V5Packets.RETAIN_HANDLING_1, 0);
        assertPublish(nextPublish(c), "rh/a", "kept", QoS.AT_MOST_ONCE, true);
        subscribe5(c, 5, Props.none(), "rh/+", V5Packets.RETAIN_HANDLING_1, 0);
        subscribe5(c, 6, Props.none(), "rh/a", V5Packets.RETAIN_HANDLING_2, 0);
        assertNextPublishIsFence5(c, pub);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] [MQTT-3.8.4-4] a SUBSCRIBE to the same filter replaces the subscription: its "
            + "options and identifier change, no message is lost")
    void replaceSubscription() throws IOException {
        MqttTestClient c = connect5("c");
        subscribe5(c, 1, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 1), "rep/#", 0, 0);
        subscribe5(c, 2, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 2), "rep/#", 1, 1);
        connect5("pub").raw().send(V5Packets.publish(0x02, "rep/a", 1, Props.none(), "x"));
        Publish p = nextPublish(c);
        assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(p.properties().subscriptionIdentifiers()).containsExactly(2);
        assertThat(broker().broker().subscriptionCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-5] retained messages sent for a new subscription carry its Subscription Identifier")
    void retainedCarrySubscriptionIdentifier() throws IOException {
        connect5("pub").raw().send(V5Packets.publish(0x01, "rid/a", 0, Props.none(), "kept"));
        awaitRetained(1);
        MqttTestClient c = connect5("c");
        subscribe5(c, 1, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 268_435_455), "rid/#", 0, 0);
        Publish p = nextPublish(c);
        assertThat(p.retain()).isTrue();
        assertThat(p.properties().subscriptionIdentifiers()).containsExactly(268_435_455);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.8.4-6] [MQTT-3.9.3-1] [MQTT-3.9.3-2] one SUBACK with a reason code per "
            + "filter in order: granted QoS, 0x8F for an invalid filter, with a Reason String")
    void subAckCodes() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(9, Props.none(), "ok/0", 0, "bad/#/x", 1, "ok/2", 2, "$share/g+/x", 1));
        SubAck ack = c.expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(9);
        assertThat(ack.reasonCodes()).containsExactly(0, ReasonCodes.TOPIC_FILTER_INVALID, 2,
                ReasonCodes.TOPIC_FILTER_INVALID);
        assertThat(ack.properties().reasonString()).contains("bad/#/x").contains("$share/g+/x");
        assertAlive(c);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription gets DISCONNECT 0x82")
    void noLocalOnShared() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.subscribe(1, Props.none(), "$share/g/a", V5Packets.NO_LOCAL));
        assertDisconnect(c, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("with the features switched off: SUBACK 0xA2 for a wildcard, 0xA1 for a Subscription Identifier, "
            + "0x9E for a shared subscription")
    void featuresUnavailable() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withWildcardSubscriptions(false).withSubscriptionIdentifiers(false)
                .withSharedSubscriptions(false)));
        MqttTestClient c = connect5("c");
        subscribe5(c, 1, Props.none(), "a/+", 0, ReasonCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
        subscribe5(c, 2, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 5), "a/b", 0,
                ReasonCodes.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED);
        subscribe5(c, 3, Props.none(), "$share/g/a", 0, ReasonCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
        subscribe5(c, 4, Props.none(), "a/b", 1, 1);
    }

    @Test
    @DisplayName("[MQTT-3.8.4-8] delivered QoS is the lower of published and granted QoS")
    void deliveredQos() throws IOException {
        MqttTestClient c = subscriber5("c", "q/#", 1);
        connect5("pub").raw().send(V5Packets.publish(0x04, "q/a", 1, Props.none(), "x"));
        assertThat(nextPublish(c).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] [MQTT-3.10.4-4] [MQTT-3.10.4-5] [MQTT-3.10.4-6] [MQTT-3.11.3-1] [MQTT-3.11.3-2] "
            + "UNSUBACK reason codes in order: 0x00 removed, 0x11 none existed, 0x8F invalid filter")
    void unsubAckCodes() throws IOException {
        MqttTestClient c = connect5("c");
        subscribe5(c, 1, Props.none(), "u/a", 0, 0);
        subscribe5(c, 2, Props.none(), "$share/g/u/b", 0, 0);
        c.raw().send(V5Packets.unsubscribe(3, Props.none(), "u/a", "u/none", "u/#/x", "$share/g/u/b"));
        UnsubAck ack = c.expect(UnsubAck.class);
        assertThat(ack.packetId()).isEqualTo(3);
        assertThat(ack.reasonCodes()).containsExactly(0, ReasonCodes.NO_SUBSCRIPTION_EXISTED,
                ReasonCodes.TOPIC_FILTER_INVALID, 0);
        assertThat(broker().broker().subscriptionCount()).isZero();
        assertThat(c.raw().staysSilent(Duration.ofMillis(100))).isTrue();
    }

    private void awaitRetained(int n) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> broker().broker().retainedCount() == n);
    }
}
