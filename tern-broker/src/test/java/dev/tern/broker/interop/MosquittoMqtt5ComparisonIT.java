package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.test.MqttTestClient;
import dev.tern.broker.test.TestBroker;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.testkit.MosquittoBroker;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 scenarios where the specification leaves the server a choice, or where brokers are known to
 * differ, run against Debian's mosquitto 2.0.11 and Tern with default settings; each broker's
 * behaviour is asserted, and {@code docs/interop.md} explains the differences.
 */
class MosquittoMqtt5ComparisonIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static MosquittoBroker mosquitto;
    private static TestBroker tern;

    @BeforeAll
    static void startBrokers() throws Exception {
        Peers.requireMosquittoBroker();
        mosquitto = MosquittoBroker.start("message_size_limit 100");
        tern = TestBroker.start(b -> b.messageSizeLimit(100));
    }

    @AfterAll
    static void stopBrokers() throws Exception {
        if (tern != null) {
            tern.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @FunctionalInterface
    interface Scenario<T> {
        T run(int port) throws Exception;
    }

    record Outcome<T>(T mosquitto, T tern) {}

    private static <T> Outcome<T> onBoth(Scenario<T> scenario) throws Exception {
        T m;
        try {
            m = scenario.run(mosquitto.port());
        } catch (Exception | AssertionError e) {
            throw new AssertionError("scenario failed against mosquitto; its log:\n" + mosquitto.log(), e);
        }
        return new Outcome<>(m, scenario.run(tern.port()));
    }

    private static MqttTestClient open(int port) throws IOException {
        return MqttTestClient.open(port, MqttVersion.MQTT_5);
    }

    private static ConnAck connect(MqttTestClient c, String id, int keepAlive, MqttProperties props)
            throws IOException {
        c.send(new Connect(MqttVersion.MQTT_5, id, true, keepAlive, null, null, null, props));
        return c.expect(ConnAck.class);
    }

    private static MqttTestClient connected(int port, String id) throws IOException {
        MqttTestClient c = open(port);
        assertThat(connect(c, id, 60, MqttProperties.EMPTY).reasonCode()).isZero();
        return c;
    }

    private static Publish publish(String topic, QoS qos, int id, MqttProperties props, byte[] payload) {
        return new Publish(topic, qos, false, false, id, props, Unpooled.wrappedBuffer(payload));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The next packet, as "DISCONNECT 0x.." / "PUBACK 0x.." / other type, or "closed" / "silent". */
    private static String reply(MqttTestClient c) throws IOException {
        try {
            MqttPacket p = c.receive(Duration.ofSeconds(2));
            return switch (p) {
                case Disconnect d -> "DISCONNECT 0x" + Integer.toHexString(d.reasonCode());
                case PubAck a -> "PUBACK 0x" + Integer.toHexString(a.reasonCode());
                case PubRec r -> "PUBREC 0x" + Integer.toHexString(r.reasonCode());
                case SubAck s -> "SUBACK " + s.reasonCodes();
                default -> p.type().name();
            };
        } catch (EOFException | SocketException e) {
            return "closed";
        } catch (SocketTimeoutException e) {
            return "silent";
        }
    }

    @Test
    @DisplayName("CONNACK defaults: Receive Maximum 20 from mosquitto, 256 from Tern (max_inflight_messages), Topic "
            + "Alias Maximum 10 and, for keep-alive 0, Server Keep Alive 65535 from both")
    void connAckDefaults() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = open(port)) {
                MqttProperties p = connect(c, "caps", 0, MqttProperties.EMPTY).properties();
                return p.receiveMaximum() + " " + p.topicAliasMaximum() + " " + p.serverKeepAlive();
            }
        });
        assertThat(o.mosquitto()).isEqualTo("20 10 65535");
        assertThat(o.tern()).isEqualTo("256 10 65535");
    }

    @Test
    @DisplayName("PUBACK 0x10 (No matching subscribers) from both")
    void noMatchingSubscribers() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "nobody")) {
                c.send(publish("cmp5/nobody", QoS.AT_LEAST_ONCE, 1, MqttProperties.EMPTY, bytes("x")));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("PUBACK 0x10");
        assertThat(o.tern()).isEqualTo("PUBACK 0x10");
    }

    @Test
    @DisplayName("a Topic Alias above the maximum: DISCONNECT 0x94 from both")
    void topicAliasAboveMaximum() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "alias")) {
                c.send(publish("cmp5/a", QoS.AT_MOST_ONCE, 0, MqttProperties.builder().topicAlias(11).build(),
                        bytes("x")));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("DISCONNECT 0x94");
        assertThat(o.tern()).isEqualTo("DISCONNECT 0x94");
    }

    @Test
    @DisplayName("a Subscription Identifier in a client's PUBLISH: mosquitto ignores it, Tern closes with "
            + "DISCONNECT 0x82")
    void subscriptionIdentifierFromClient() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "subid")) {
                c.send(publish("cmp5/a", QoS.AT_MOST_ONCE, 0,
                        MqttProperties.builder().addSubscriptionIdentifier(1).build(), bytes("x")));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("silent");
        assertThat(o.tern()).isEqualTo("DISCONNECT 0x82");
    }

    @Test
    @DisplayName("Payload Format Indicator 1 with invalid UTF-8 at QoS 1: mosquitto accepts it (0x10), Tern "
            + "answers PUBACK 0x99")
    void payloadFormatInvalid() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "pfi")) {
                c.send(publish("cmp5/pfi", QoS.AT_LEAST_ONCE, 1,
                        MqttProperties.builder().payloadFormatIndicator(1).build(), new byte[] {(byte) 0xC3, 0x28}));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("PUBACK 0x10");
        assertThat(o.tern()).isEqualTo("PUBACK 0x99");
    }

    @Test
    @DisplayName("a payload above message_size_limit at QoS 1: mosquitto answers PUBACK 0x95, which is not a "
            + "PUBACK reason code; Tern PUBACK 0x97 (Quota exceeded)")
    void messageSizeLimit() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "big")) {
                c.send(publish("cmp5/big", QoS.AT_LEAST_ONCE, 1, MqttProperties.EMPTY, new byte[200]));
                return java.util.HexFormat.ofDelimiter(" ").formatHex(c.raw().readPacket(WAIT));
            }
        });
        assertThat(o.mosquitto()).isEqualTo("40 03 00 01 95");
        assertThat(o.tern()).startsWith("40").contains("00 01 97");
    }

    @Test
    @DisplayName("a PUBLISH to $SYS at QoS 1: PUBACK 0x87 (Not authorized) from both")
    void sysPublish() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "sys")) {
                c.send(publish("$SYS/cmp5", QoS.AT_LEAST_ONCE, 1, MqttProperties.EMPTY, bytes("x")));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("PUBACK 0x87");
        assertThat(o.tern()).isEqualTo("PUBACK 0x87");
    }

    @Test
    @DisplayName("more unacknowledged QoS 2 PUBLISHes than the announced Receive Maximum: mosquitto keeps "
            + "accepting, Tern disconnects with 0x93")
    void receiveMaximumExceeded() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = open(port)) {
                ConnAck ack = connect(c, "flood", 60, MqttProperties.EMPTY);
                int receiveMaximum = Objects.requireNonNull(ack.properties().receiveMaximum());
                for (int id = 1; id <= receiveMaximum; id++) {
                    c.send(publish("cmp5/q2", QoS.EXACTLY_ONCE, id, MqttProperties.EMPTY, bytes("x")));
                    c.expect(PubRec.class);
                }
                c.send(publish("cmp5/q2", QoS.EXACTLY_ONCE, receiveMaximum + 1, MqttProperties.EMPTY, bytes("x")));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).startsWith("PUBREC");
        assertThat(o.tern()).isEqualTo("DISCONNECT 0x93");
    }

    @Test
    @DisplayName("raising the Session Expiry Interval from 0 in DISCONNECT: DISCONNECT 0x82 from both")
    void raiseSessionExpiry() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient c = connected(port, "raise")) {
                c.send(new Disconnect(0, MqttProperties.builder().sessionExpiryInterval(60L).build()));
                return reply(c);
            }
        });
        assertThat(o.mosquitto()).isEqualTo("DISCONNECT 0x82");
        assertThat(o.tern()).isEqualTo("DISCONNECT 0x82");
    }

    @Test
    @DisplayName("take-over of a 5.0 client: mosquitto closes the old connection without a DISCONNECT, Tern sends "
            + "DISCONNECT 0x8E first")
    void takeOver() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient first = connected(port, "twin"); MqttTestClient second = connected(port, "twin")) {
                return reply(first) + " / " + (second.version() == MqttVersion.MQTT_5 ? "second connected" : "");
            }
        });
        assertThat(o.mosquitto()).isEqualTo("closed / second connected");
        assertThat(o.tern()).isEqualTo("DISCONNECT 0x8e / second connected");
    }

    @Test
    @DisplayName("outbound Topic Aliases for a client announcing Topic Alias Maximum 5: mosquitto sends none, Tern "
            + "assigns alias 1 and then sends the alias alone")
    void outboundAliases() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient sub = open(port); MqttTestClient pub = connected(port, "alias-pub")) {
                connect(sub, "alias-sub", 60, MqttProperties.builder().topicAliasMaximum(5).build());
                sub.send(new Subscribe(1, List.of(new TopicSubscription("cmp5/out", QoS.AT_MOST_ONCE)),
                        MqttProperties.EMPTY));
                sub.expect(SubAck.class);
                pub.send(publish("cmp5/out", QoS.AT_MOST_ONCE, 0, MqttProperties.EMPTY, bytes("1")));
                pub.send(publish("cmp5/out", QoS.AT_MOST_ONCE, 0, MqttProperties.EMPTY, bytes("2")));
                Publish a = sub.expect(Publish.class);
                Publish b = sub.expect(Publish.class);
                return "'" + a.topic() + "' " + a.properties().topicAlias() + ", '" + b.topic() + "' "
                        + b.properties().topicAlias();
            }
        });
        assertThat(o.mosquitto()).isEqualTo("'cmp5/out' null, 'cmp5/out' null");
        assertThat(o.tern()).isEqualTo("'cmp5/out' 1, '' 1");
    }

    @Test
    @DisplayName("a retained message on a new shared subscription: mosquitto sends it, Tern does not")
    void sharedGetsNoRetained() throws Exception {
        Outcome<String> o = onBoth(port -> {
            try (MqttTestClient pub = connected(port, "ret-pub"); MqttTestClient sub = connected(port, "ret-sub")) {
                pub.send(new Publish("cmp5/shared/r", QoS.AT_LEAST_ONCE, true, false, 1, MqttProperties.EMPTY,
                        Unpooled.wrappedBuffer(bytes("kept"))));
                pub.expect(PubAck.class);
                sub.send(new Subscribe(1, List.of(new TopicSubscription("$share/g/cmp5/shared/#", QoS.AT_MOST_ONCE)),
                        MqttProperties.EMPTY));
                String ack = reply(sub);
                String next = reply(sub);
                pub.send(new Publish("cmp5/shared/r", QoS.AT_LEAST_ONCE, true, false, 2, MqttProperties.EMPTY,
                        Unpooled.EMPTY_BUFFER));
                pub.expect(PubAck.class);
                return ack + " then " + next;
            }
        });
        assertThat(o.mosquitto()).isEqualTo("SUBACK [0] then PUBLISH");
        assertThat(o.tern()).isEqualTo("SUBACK [0] then silent");
    }
}
