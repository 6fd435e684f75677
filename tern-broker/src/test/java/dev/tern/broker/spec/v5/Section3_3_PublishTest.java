package dev.tern.broker.spec.v5;

import static dev.tern.broker.spec.v5.V5Packets.CLEAN_START;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.spec.Bytes;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 section 3.3: PUBLISH — properties forwarded, topic aliases, expiry, acknowledgement codes. */
class Section3_3_PublishTest extends V5SpecTestBase {

    @Test
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] "
            + "Payload Format Indicator, Response Topic, Correlation Data, User Properties (in order) and Content "
            + "Type reach the subscriber unchanged")
    void propertiesForwarded() throws IOException {
        MqttTestClient sub = subscriber5("sub", "req/#", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "req/a", 1, Props.of()
                .u8(Props.PAYLOAD_FORMAT_INDICATOR, 1)
                .utf8(Props.CONTENT_TYPE, "application/json")
                .utf8(Props.RESPONSE_TOPIC, "resp/a")
                .binary(Props.CORRELATION_DATA, new byte[] {0, 1, 2, (byte) 0xFF})
                .userProperty("z", "1").userProperty("a", "2").userProperty("z", "3"), "{}"));
        assertThat(pub.expect(PubAck.class).reasonCode()).isZero();
        Publish p = nextPublish(sub);
        MqttProperties props = p.properties();
        assertThat(props.payloadFormatIndicator()).isEqualTo(1);
        assertThat(props.contentType()).isEqualTo("application/json");
        assertThat(props.responseTopic()).isEqualTo("resp/a");
        assertThat(props.correlationData()).containsExactly(0, 1, 2, 0xFF);
        assertThat(props.userProperties()).containsExactly(new UserProperty("z", "1"), new UserProperty("a", "2"),
                new UserProperty("z", "3"));
    }

    @Test
    @DisplayName("[MQTT-3.3.2-12] [MQTT-3.3.2-7] an inbound Topic Alias up to the announced maximum sets and then "
            + "replaces the topic; aliases do not survive the connection")
    void inboundTopicAlias() throws IOException {
        MqttTestClient sub = subscriber5("sub", "alias/#", 0);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0, "alias/one", 0, Props.of().u16(Props.TOPIC_ALIAS, 10), "1"));
        pub.raw().send(V5Packets.publish(0, "", 0, Props.of().u16(Props.TOPIC_ALIAS, 10), "2"));
        pub.raw().send(V5Packets.publish(0, "alias/two", 0, Props.of().u16(Props.TOPIC_ALIAS, 10), "3"));
        pub.raw().send(V5Packets.publish(0, "", 0, Props.of().u16(Props.TOPIC_ALIAS, 10), "4"));
        assertPublish(nextPublish(sub), "alias/one", "1", QoS.AT_MOST_ONCE, false);
        Publish second = nextPublish(sub);
        assertPublish(second, "alias/one", "2", QoS.AT_MOST_ONCE, false);
        assertThat(second.properties().topicAlias()).as("the alias is not forwarded").isNull();
        assertPublish(nextPublish(sub), "alias/two", "3", QoS.AT_MOST_ONCE, false);
        assertPublish(nextPublish(sub), "alias/two", "4", QoS.AT_MOST_ONCE, false);
        pub.raw().send(V5Packets.DISCONNECT);
        MqttTestClient again = connect5("pub");
        again.raw().send(V5Packets.publish(0, "", 0, Props.of().u16(Props.TOPIC_ALIAS, 10), "5"));
        assertDisconnect(again, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-12] [MQTT-3.2.2-17] a Topic Alias above the Topic Alias Maximum gets DISCONNECT 0x94")
    void topicAliasAboveMaximum() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0, "a", 0, Props.of().u16(Props.TOPIC_ALIAS, 11), "x"));
        assertDisconnect(pub, ReasonCodes.TOPIC_ALIAS_INVALID);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-8] [MQTT-3.2.2-18] a Topic Alias of 0 gets DISCONNECT 0x94; so does any alias when "
            + "max_topic_alias is 0")
    void topicAliasZero() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0, "a", 0, Props.of().u16(Props.TOPIC_ALIAS, 0), "x"));
        assertDisconnect(pub, ReasonCodes.TOPIC_ALIAS_INVALID);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-18] with max_topic_alias 0 no Topic Alias Maximum is announced and any alias gets "
            + "DISCONNECT 0x94")
    void topicAliasesOff() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withMaxTopicAlias(0)));
        MqttTestClient pub = open5();
        assertThat(connAck(pub, V5Packets.connect("pub")).properties().topicAliasMaximum()).isNull();
        pub.raw().send(V5Packets.publish(0, "a", 0, Props.of().u16(Props.TOPIC_ALIAS, 1), "x"));
        assertDisconnect(pub, ReasonCodes.TOPIC_ALIAS_INVALID);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-11] [MQTT-3.1.2-26] outbound Topic Aliases: the first PUBLISH of a topic carries "
            + "topic and alias, later ones only the alias, never above the client's Topic Alias Maximum")
    void outboundTopicAliases() throws IOException {
        MqttTestClient sub = open5();
        connAck(sub, V5Packets.connect("sub", CLEAN_START, 60, Props.of().u16(Props.TOPIC_ALIAS_MAXIMUM, 2)));
        subscribe5(sub, 1, Props.none(), "out/#", 0, 0);
        MqttTestClient pub = connect5("pub");
        for (String t : new String[] {"out/a", "out/a", "out/b", "out/c", "out/b", "out/c"}) {
            pub.raw().send(V5Packets.publish0(t, t));
        }
        assertAlias(nextPublish(sub), "out/a", 1);
        assertAlias(nextPublish(sub), "", 1);
        assertAlias(nextPublish(sub), "out/b", 2);
        Publish c = nextPublish(sub);
        assertThat(c.topic()).isEqualTo("out/c");
        assertThat(c.properties().topicAlias()).as("beyond the client's maximum: no alias").isNull();
        assertAlias(nextPublish(sub), "", 2);
        assertThat(nextPublish(sub).topic()).isEqualTo("out/c");
    }

    private static void assertAlias(Publish p, String topic, int alias) {
        assertThat(p.topic()).isEqualTo(topic);
        assertThat(p.properties().topicAlias()).isEqualTo(alias);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-27] no Topic Alias goes to a client that announced no Topic Alias Maximum")
    void noOutboundAliasesWithoutMaximum() throws IOException {
        MqttTestClient sub = subscriber5("sub", "out/#", 0);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish0("out/a", "1"));
        pub.raw().send(V5Packets.publish0("out/a", "2"));
        for (int i = 0; i < 2; i++) {
            Publish p = nextPublish(sub);
            assertThat(p.topic()).isEqualTo("out/a");
            assertThat(p.properties().topicAlias()).isNull();
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-6] the Message Expiry Interval is forwarded less the time the message waited")
    void expiryReduced() throws IOException {
        MqttTestClient first = connect5("late", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60));
        subscribe5(first, 1, Props.none(), "exp/#", 1, 1);
        first.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "exp/a", 1, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 60), "x"));
        pub.expect(PubAck.class);
        sleep(Duration.ofMillis(2100));
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("late", 0, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        Publish p = nextPublish(again);
        assertThat(p.properties().messageExpiryInterval()).isBetween(55L, 58L);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-5] a queued message whose expiry interval passed is not delivered")
    void expiredNotDelivered() throws IOException {
        MqttTestClient first = connect5("late", Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60));
        subscribe5(first, 1, Props.none(), "exp/#", 1, 1);
        first.raw().send(V5Packets.DISCONNECT);
        awaitSessionCount(1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "exp/short", 1, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 1), "old"));
        pub.expect(PubAck.class);
        pub.raw().send(V5Packets.publish(0x02, "exp/long", 2, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 60), "new"));
        pub.expect(PubAck.class);
        sleep(Duration.ofMillis(1300));
        MqttTestClient again = open5();
        connAck(again, V5Packets.connect("late", 0, 60, Props.of().u32(Props.SESSION_EXPIRY_INTERVAL, 60)));
        assertThat(nextPublish(again).topic()).isEqualTo("exp/long");
        assertThat(broker().broker().metrics().expiredMessages()).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-5] an expired retained message is removed from the retained store")
    void expiredRetained() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x03, "ret/short", 1, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 1), "x"));
        pub.expect(PubAck.class);
        pub.raw().send(V5Packets.publish(0x03, "ret/long", 2, Props.of().u32(Props.MESSAGE_EXPIRY_INTERVAL, 100), "y"));
        pub.expect(PubAck.class);
        assertThat(broker().broker().retainedCount()).isEqualTo(2);
        sleep(Duration.ofMillis(1300));
        MqttTestClient sub = connect5("sub");
        subscribe5(sub, 1, Props.none(), "ret/#", 1, 1);
        Publish p = nextPublish(sub);
        assertThat(p.topic()).isEqualTo("ret/long");
        assertThat(p.retain()).isTrue();
        assertThat(p.properties().messageExpiryInterval()).isBetween(97L, 99L);
        assertThat(broker().broker().retainedCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-2] overlapping subscriptions: one copy at the highest "
            + "QoS carrying every matching Subscription Identifier")
    void subscriptionIdentifiers() throws IOException {
        MqttTestClient sub = connect5("sub");
        subscribe5(sub, 1, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 7), "ids/#", 0, 0);
        subscribe5(sub, 2, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 300), "ids/+", 1, 1);
        subscribe5(sub, 3, Props.none(), "ids/x", 0, 0);
        connect5("pub").raw().send(V5Packets.publish(0x02, "ids/x", 1, Props.none(), "m"));
        Publish p = nextPublish(sub);
        assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(p.properties().subscriptionIdentifiers()).containsExactlyInAnyOrder(7, 300);
        assertThat(sub.raw().staysSilent(Duration.ofMillis(200))).as("one copy only").isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.4-6] a PUBLISH from a client with a Subscription Identifier gets DISCONNECT 0x82")
    void subscriptionIdentifierFromClient() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0, "a", 0, Props.of().varInt(Props.SUBSCRIPTION_IDENTIFIER, 1), "x"));
        assertDisconnect(pub, ReasonCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] PUBACK 0x10 when nobody subscribes, 0x00 when someone does")
    void noMatchingSubscribers() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "nobody", 1, Props.none(), "x"));
        assertNextBytes(pub, Bytes.of(0x40, 0x03, 0x00, 0x01, 0x10));
        subscriber5("sub", "somebody", 0);
        pub.raw().send(V5Packets.publish(0x04, "somebody", 2, Props.none(), "x"));
        assertNextBytes(pub, Bytes.of(0x50, 0x02, 0x00, 0x02));
    }

    @Test
    @DisplayName("Payload Format Indicator 1 with a payload that is not UTF-8: PUBACK 0x99 at QoS 1, PUBREC 0x99 "
            + "at QoS 2, DISCONNECT 0x99 at QoS 0; not delivered")
    void payloadFormatInvalid() throws IOException {
        MqttTestClient sub = subscriber5("sub", "pfi/#", 0);
        MqttTestClient pub = connect5("pub");
        byte[] bad = {(byte) 0xC3, 0x28};
        pub.raw().send(V5Packets.publish(0x02, "pfi/a", 1, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1), bad));
        assertThat(reasonCodeByte(next(pub), 2)).isEqualTo(ReasonCodes.PAYLOAD_FORMAT_INVALID);
        pub.raw().send(V5Packets.publish(0x04, "pfi/a", 2, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1), bad));
        PubRec rec = pub.expect(PubRec.class);
        assertThat(rec.reasonCode()).isEqualTo(ReasonCodes.PAYLOAD_FORMAT_INVALID);
        pub.raw().send(V5Packets.publish(0x02, "pfi/a", 3, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 0), bad));
        assertThat(pub.expect(PubAck.class).reasonCode()).as("indicator 0: any bytes").isZero();
        pub.raw().send(V5Packets.publish(0, "pfi/a", 0, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1), bad));
        assertDisconnect(pub, ReasonCodes.PAYLOAD_FORMAT_INVALID);
        assertThat(nextPublish(sub).properties().payloadFormatIndicator()).isZero();
        assertNextPublishIsFence5(sub, connect5("other"));
    }

    @Test
    @DisplayName("validate_payload_format false forwards such a payload")
    void payloadFormatNotChecked() throws IOException {
        startBroker(b -> b.mqtt5(m -> m.withValidatePayloadFormat(false)));
        MqttTestClient sub = subscriber5("sub", "pfi/#", 0);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "pfi/a", 1, Props.of().u8(Props.PAYLOAD_FORMAT_INDICATOR, 1),
                new byte[] {(byte) 0xFF}));
        assertThat(pub.expect(PubAck.class).reasonCode()).isZero();
        assertThat(nextPublish(sub).properties().payloadFormatIndicator()).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-11] a PUBLISH above the Maximum QoS gets DISCONNECT 0x9B")
    void qosNotSupported() throws IOException {
        startBroker(b -> b.maxQos(1));
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x04, "q", 1, Props.none(), "x"));
        assertDisconnect(pub, ReasonCodes.QOS_NOT_SUPPORTED);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-14] a retained PUBLISH when Retain Available is 0 gets DISCONNECT 0x9A")
    void retainNotSupported() throws IOException {
        startBroker(b -> b.retainAvailable(false));
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x01, "r", 0, Props.none(), "x"));
        assertDisconnect(pub, ReasonCodes.RETAIN_NOT_SUPPORTED);
    }

    @Test
    @DisplayName("a payload above message_size_limit gets PUBACK 0x97 (Quota exceeded) and is not delivered")
    void quotaExceeded() throws IOException {
        startBroker(b -> b.messageSizeLimit(10));
        MqttTestClient sub = subscriber5("sub", "big/#", 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "big/a", 1, Props.none(), "12345678901"));
        PubAck ack = pub.expect(PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCodes.QUOTA_EXCEEDED);
        assertThat(ack.properties().reasonString()).contains("message_size_limit");
        assertNextPublishIsFence5(sub, pub);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] a PUBLISH to $SYS gets PUBACK 0x87 (Not authorized) with a Reason String")
    void notAuthorized() throws IOException {
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "$SYS/broker/x", 1, Props.none(), "x"));
        PubAck ack = pub.expect(PubAck.class);
        assertThat(ack.reasonCode()).isEqualTo(ReasonCodes.NOT_AUTHORIZED);
        assertThat(ack.properties().reasonString()).isNotEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-25] a message larger than the client's Maximum Packet Size is not "
            + "sent to it and counts as delivered; smaller ones still are")
    void clientMaximumPacketSize() throws IOException {
        MqttTestClient sub = open5();
        connAck(sub, V5Packets.connect("small", CLEAN_START, 60, Props.of().u32(Props.MAXIMUM_PACKET_SIZE, 30)));
        subscribe5(sub, 1, Props.none(), "size/#", 1, 1);
        MqttTestClient pub = connect5("pub");
        pub.raw().send(V5Packets.publish(0x02, "size/a", 1, Props.none(), "x".repeat(40)));
        pub.expect(PubAck.class);
        pub.raw().send(V5Packets.publish(0x02, "size/a", 2, Props.none(), "fits"));
        pub.expect(PubAck.class);
        Publish p = nextPublish(sub);
        assertThat(MqttTestClient.text(p)).isEqualTo("fits");
        assertThat(p.packetId()).as("the dropped message took no packet id").isEqualTo(1);
        assertThat(broker().broker().sessionInfo("small").join().orElseThrow().inflightMessages()).isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published 0 forwards RETAIN 0, 1 keeps the "
            + "publisher's RETAIN 1")
    void retainAsPublished() throws IOException {
        MqttTestClient plain = subscriber5("plain", "rap/#", 0);
        MqttTestClient rap = subscriber5("rap", "rap/#", V5Packets.RETAIN_AS_PUBLISHED);
        connect5("pub").raw().send(V5Packets.publish(0x01, "rap/a", 0, Props.none(), "r"));
        assertThat(nextPublish(plain).retain()).isFalse();
        assertThat(nextPublish(rap).retain()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-7] [MQTT-3.3.1-8] RETAIN 1 replaces the retained "
            + "message, an empty one deletes it (and is delivered but not kept), RETAIN 0 leaves it alone")
    void retained() throws IOException {
        MqttTestClient pub = connect5("pub");
        MqttTestClient live = subscriber5("live", "ret/a", 0);
        pub.raw().send(V5Packets.publish(0x01, "ret/a", 0, Props.none(), "first"));
        pub.raw().send(V5Packets.publish(0x01, "ret/a", 0, Props.none(), "second"));
        pub.raw().send(V5Packets.publish(0x00, "ret/a", 0, Props.none(), "not retained"));
        for (int i = 0; i < 3; i++) {
            nextPublish(live);
        }
        MqttTestClient late = connect5("late");
        subscribe5(late, 1, Props.none(), "ret/a", 0, 0);
        assertPublish(nextPublish(late), "ret/a", "second", QoS.AT_MOST_ONCE, true);
        pub.raw().send(V5Packets.publish(0x01, "ret/a", 0, Props.none(), ""));
        assertThat(MqttTestClient.text(nextPublish(live))).as("an empty retained message is delivered").isEmpty();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> broker().broker().retainedCount() == 0);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-4] a PUBLISH with QoS 3 is malformed: DISCONNECT 0x81")
    void qos3() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0x06, "q", 1, Props.none(), "x"));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-19] a Content Type that is not UTF-8 is malformed: DISCONNECT 0x81")
    void contentTypeNotUtf8() throws IOException {
        MqttTestClient c = connect5("c");
        c.raw().send(V5Packets.publish(0, "c", 0, Props.of().raw(Props.CONTENT_TYPE, 0x00, 0x01, 0xFF), "x"));
        assertDisconnect(c, ReasonCodes.MALFORMED_PACKET);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
