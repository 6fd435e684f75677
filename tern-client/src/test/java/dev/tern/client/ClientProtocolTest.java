package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
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
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client's side of the protocol, checked against a scripted server that sends exactly the
 * packets a rule is about and asserts what the client answers. Display names cite the statements.
 */
class ClientProtocolTest {
    private static TernClientBuilder client(ScriptedServer s, MqttVersion v) {
        return TernClient.builder().serverHost("127.0.0.1").serverPort(s.port()).version(v).clientId("proto");
    }

    private static ConnAck ok(boolean sessionPresent) {
        return new ConnAck(sessionPresent, 0, MqttProperties.EMPTY);
    }

    private static ConnAck ok(MqttProperties p) {
        return new ConnAck(false, 0, p);
    }

    private static Publish publish(String topic, int qos, int id, boolean dup, String payload, MqttProperties p) {
        return new Publish(topic, QoS.of(qos), false, dup, id, p,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** Connects the client to the scripted server and returns the CONNECT it sent. */
    private static Connect handshake(ScriptedServer s, TernClient c, ConnAck answer) throws Exception {
        CompletableFuture<ConnectResult> f = c.connect();
        s.accept();
        Connect connect = s.expect(Connect.class);
        s.send(answer);
        if (answer.reasonCode() == 0) {
            f.get(5, TimeUnit.SECONDS);
        }
        return connect;
    }

    private static String text(Publish p) {
        String s = p.payload().toString(StandardCharsets.UTF_8);
        p.release();
        return s;
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] CONNECT first; [MQTT-3.1.3-7] an empty client id needs a clean session")
    void connectFirstAndEmptyIdRules() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).clientId("").keepAliveSeconds(30).build()) {
            Connect connect = handshake(s, c, ok(false));
            assertThat(connect.clientId()).isEmpty();
            assertThat(connect.cleanStart()).isTrue();
            assertThat(connect.keepAliveSeconds()).isEqualTo(30);
        }
        assertThatThrownBy(() -> TernClient.builder().clientId("").cleanStart(false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MQTT-3.1.3-7");
    }

    @Test
    @DisplayName("[MQTT-2.3.1-1] [MQTT-2.3.1-2] [MQTT-4.3.2-1] [MQTT-4.3.2-2 (5.0)] [MQTT-2.3.1-5] QoS 1 ids are non-zero and distinct while in flight; QoS 0 has none")
    void packetIds() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok(false));
            List<CompletableFuture<PublishResult>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(c.publish(Message.of("t", "m" + i, 1, false)));
            }
            CompletableFuture<PublishResult> q0 = c.publish(Message.of("t", "zero", 0, false));
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Publish p = s.expect(Publish.class);
                assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
                assertThat(p.dup()).isFalse();
                ids.add(p.packetId());
                p.release();
            }
            Publish zero = s.expect(Publish.class);
            assertThat(zero.qos()).isEqualTo(QoS.AT_MOST_ONCE);
            assertThat(zero.packetId()).isZero();
            assertThat(zero.dup()).isFalse();
            zero.release();
            assertThat(ids).doesNotContain(0).doesNotHaveDuplicates();
            q0.get(5, TimeUnit.SECONDS);
            for (int id : ids) {
                s.send(new PubAck(id));
            }
            for (var f : fs) {
                assertThat(f.get(5, TimeUnit.SECONDS).reasonCode()).isZero();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] [MQTT-4.3.3-2 (5.0)] [MQTT-4.3.3-4] [MQTT-4.3.3-5] [MQTT-3.6.1-1] QoS 2: PUBREL (flags 0010) after PUBREC, complete on PUBCOMP")
    void qos2Sender() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok(false));
            CompletableFuture<PublishResult> f = c.publish(Message.of("q2", "x", 2, false));
            Publish p = s.expect(Publish.class);
            assertThat(p.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            p.release();
            s.send(new PubRec(p.packetId()));
            byte[] rel = s.readRaw(Duration.ofSeconds(5));
            assertThat(rel[0] & 0xFF).isEqualTo(0x62);
            assertThat(((rel[2] & 0xFF) << 8) | (rel[3] & 0xFF)).isEqualTo(p.packetId());
            assertThat(f).isNotDone();
            s.send(new PubComp(p.packetId()));
            f.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] [MQTT-4.6.0-1] [MQTT-4.3.3-6] [MQTT-2.3.1-3] resumed session: PUBLISH again with DUP and the same ids, in order; PUBREL instead of PUBLISH after PUBREC")
    void resendAfterReconnect() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).cleanStart(false)
                     .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(50), 1, 0, 0))
                     .build()) {
            handshake(s, c, ok(false));
            CompletableFuture<PublishResult> a = c.publish(Message.of("r/a", "a", 1, false));
            CompletableFuture<PublishResult> b = c.publish(Message.of("r/b", "b", 2, false));
            CompletableFuture<PublishResult> d = c.publish(Message.of("r/c", "c", 1, false));
            Publish pa = s.expect(Publish.class);
            Publish pb = s.expect(Publish.class);
            Publish pc = s.expect(Publish.class);
            s.send(new PubRec(pb.packetId()));
            s.expect(PubRel.class);
            s.dropConnection();
            s.accept();
            Connect again = s.expect(Connect.class);
            assertThat(again.cleanStart()).isFalse();
            s.send(ok(true));
            Publish ra = s.expect(Publish.class);
            MqttPacket rb = s.read();
            Publish rc = s.expect(Publish.class);
            assertThat(ra.dup()).isTrue();
            assertThat(ra.packetId()).isEqualTo(pa.packetId());
            assertThat(text(ra)).isEqualTo("a");
            assertThat(rb).isEqualTo(new PubRel(pb.packetId()));
            assertThat(rc.dup()).isTrue();
            assertThat(rc.packetId()).isEqualTo(pc.packetId());
            assertThat(text(rc)).isEqualTo("c");
            s.send(new PubAck(pa.packetId()));
            s.send(new PubComp(pb.packetId()));
            s.send(new PubAck(pc.packetId()));
            CompletableFuture.allOf(a, b, d).get(5, TimeUnit.SECONDS);
            pa.release();
            pb.release();
            pc.release();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] [MQTT-3.1.2-6] session lost on reconnect: unacknowledged messages are published anew (DUP 0), subscriptions re-made")
    void sessionLostOnReconnect() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).cleanStart(false)
                     .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(50), 1, 0, 0))
                     .build()) {
            handshake(s, c, ok(false));
            CompletableFuture<SubscribeResult> sub = c.subscribe(Subscription.of("s/#", 1), m -> { });
            Subscribe first = s.expect(Subscribe.class);
            s.send(new SubAck(first.packetId(), List.of(1), MqttProperties.EMPTY));
            sub.get(5, TimeUnit.SECONDS);
            CompletableFuture<PublishResult> f = c.publish(Message.of("s/x", "again", 1, false));
            Publish p = s.expect(Publish.class);
            p.release();
            s.dropConnection();
            s.accept();
            s.expect(Connect.class);
            s.send(ok(false));
            Subscribe resub = s.expect(Subscribe.class);
            assertThat(resub.subscriptions()).extracting(t -> t.filter()).containsExactly("s/#");
            s.send(new SubAck(resub.packetId(), List.of(1), MqttProperties.EMPTY));
            Publish anew = s.expect(Publish.class);
            assertThat(anew.dup()).isFalse();
            assertThat(text(anew)).isEqualTo("again");
            s.send(new PubAck(anew.packetId()));
            f.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] [MQTT-4.9.0-1] [MQTT-4.9.0-2] [MQTT-3.3.4-8] [MQTT-4.9.0-3] Receive Maximum 2: two QoS 1 in flight at most, QoS 0 and SUBSCRIBE still go out")
    void receiveMaximumWindow() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(MqttProperties.builder().receiveMaximum(2).build()));
            List<CompletableFuture<PublishResult>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(c.publish(Message.of("w", "m" + i, 1, false)));
            }
            Publish p1 = s.expect(Publish.class);
            Publish p2 = s.expect(Publish.class);
            c.subscribe(Subscription.of("other", 0), m -> { });
            Subscribe sub = s.expect(Subscribe.class);
            assertThat(sub.subscriptions()).hasSize(1);
            assertThat(s.silentFor(Duration.ofMillis(300))).isTrue();
            s.send(new PubAck(p1.packetId()));
            Publish p3 = s.expect(Publish.class);
            assertThat(text(p3)).isEqualTo("m2");
            assertThat(s.silentFor(Duration.ofMillis(200))).isTrue();
            s.send(new PubAck(p2.packetId()));
            s.send(new PubAck(p3.packetId()));
            Publish p4 = s.expect(Publish.class);
            Publish p5 = s.expect(Publish.class);
            s.send(new PubAck(p4.packetId()));
            s.send(new PubAck(p5.packetId()));
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
            p1.release();
            p2.release();
            p4.release();
            p5.release();
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11] [MQTT-4.3.3-12] [MQTT-4.3.3-2 (3.1.1)] QoS 2 receiver: deliver once, PUBREC each copy, PUBCOMP the PUBREL, then the id is new")
    void qos2ExactlyOnceReceive() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok(false));
            List<String> got = new CopyOnWriteArrayList<>();
            c.subscribe(Subscription.of("e/#", 2), m -> got.add(m.payloadAsString()));
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(2), MqttProperties.EMPTY));
            s.send(publish("e/1", 2, 7, false, "once", MqttProperties.EMPTY));
            assertThat(s.expect(PubRec.class).packetId()).isEqualTo(7);
            s.send(publish("e/1", 2, 7, true, "once", MqttProperties.EMPTY));
            assertThat(s.expect(PubRec.class).packetId()).isEqualTo(7);
            s.send(new PubRel(7));
            assertThat(s.expect(PubComp.class).packetId()).isEqualTo(7);
            s.send(publish("e/1", 2, 7, false, "second", MqttProperties.EMPTY));
            assertThat(s.expect(PubRec.class).packetId()).isEqualTo(7);
            s.send(new PubRel(7));
            s.expect(PubComp.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            assertThat(got).containsExactly("once", "second");
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-2] [MQTT-4.6.0-3] [MQTT-4.5.0-2] [MQTT-4.3.2-4] manual acknowledgement: acks wait for the application and leave in arrival order")
    void manualAcknowledgementOrder() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).manualAcknowledgement(true).build()) {
            handshake(s, c, ok(false));
            List<Message> got = new CopyOnWriteArrayList<>();
            c.subscribe(Subscription.of("m/#", 2), got::add);
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(2), MqttProperties.EMPTY));
            s.send(publish("m/1", 1, 11, false, "a", MqttProperties.EMPTY));
            s.send(publish("m/2", 2, 12, false, "b", MqttProperties.EMPTY));
            s.send(publish("m/3", 1, 13, false, "c", MqttProperties.EMPTY));
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
            assertThat(s.silentFor(Duration.ofMillis(200))).isTrue();
            assertThat(got.get(2).acknowledge()).isTrue();
            assertThat(got.get(2).acknowledge()).isFalse();
            assertThat(s.silentFor(Duration.ofMillis(200))).isTrue();
            got.get(0).acknowledge();
            assertThat(s.expect(PubAck.class).packetId()).isEqualTo(11);
            assertThat(s.silentFor(Duration.ofMillis(200))).isTrue();
            got.get(1).acknowledge();
            assertThat(s.expect(PubRec.class).packetId()).isEqualTo(12);
            assertThat(s.expect(PubAck.class).packetId()).isEqualTo(13);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23 (3.1.1)] [MQTT-3.1.2-20] PINGREQ after a keep-alive period of silence; no PINGRESP closes the connection")
    void keepAliveAndPingTimeout() throws Exception {
        List<Throwable> lost = new CopyOnWriteArrayList<>();
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).keepAliveSeconds(1).pingTimeout(Duration.ofMillis(500))
                     .connectionListener(new ConnectionListener() {
                         @Override
                         public void disconnected(Throwable cause, boolean reconnecting) {
                             lost.add(cause);
                         }
                     }).build()) {
            handshake(s, c, ok(false));
            long start = System.nanoTime();
            assertThat(s.read(Duration.ofSeconds(3))).isEqualTo(PingReq.INSTANCE);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(800), Duration.ofMillis(3000));
            s.send(PingResp.INSTANCE);
            assertThat(s.read(Duration.ofSeconds(3))).isEqualTo(PingReq.INSTANCE);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> !lost.isEmpty());
            assertThat(lost.get(0)).hasMessageContaining("PINGRESP");
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-21] [MQTT-3.1.2-21] the Server Keep Alive replaces the client's")
    void serverKeepAlive() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).keepAliveSeconds(300).build()) {
            handshake(s, c, ok(MqttProperties.builder().serverKeepAlive(1).build()));
            assertThat(s.read(Duration.ofSeconds(3))).isEqualTo(PingReq.INSTANCE);
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.1.2-4 (5.0)] Session Present 1 after a clean start makes the client close the connection")
    void sessionPresentAfterCleanStart() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            CompletableFuture<ConnectResult> f = c.connect();
            s.accept();
            s.expect(Connect.class);
            s.send(ok(true));
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasMessageContaining("session present");
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-7] [MQTT-3.3.2-10] [MQTT-3.3.2-8] inbound topic aliases up to our maximum; alias 0 or above it closes with 0x94")
    void inboundTopicAliases() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).topicAliasMaximum(3).build()) {
            Connect connect = handshake(s, c, ok(false));
            assertThat(connect.properties().topicAliasMaximum()).isEqualTo(3);
            List<String> topics = new CopyOnWriteArrayList<>();
            c.subscribe(Subscription.of("#", 0), m -> topics.add(m.topic()));
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(0), MqttProperties.EMPTY));
            s.send(publish("alias/long/topic", 0, 0, false, "1", MqttProperties.builder().topicAlias(3).build()));
            s.send(publish("", 0, 0, false, "2", MqttProperties.builder().topicAlias(3).build()));
            await().atMost(Duration.ofSeconds(5)).until(() -> topics.size() == 2);
            assertThat(topics).containsExactly("alias/long/topic", "alias/long/topic");
            s.send(publish("x", 0, 0, false, "3", MqttProperties.builder().topicAlias(4).build()));
            Disconnect d = s.expect(Disconnect.class);
            assertThat(d.reasonCode()).isEqualTo(ReasonCodes.TOPIC_ALIAS_INVALID);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-9] [MQTT-3.2.2-18] outbound topic aliases within the server's maximum, none without one")
    void outboundTopicAliases() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(MqttProperties.builder().topicAliasMaximum(1).build()));
            c.publish(Message.of("a/long/topic", "1", 0, false));
            c.publish(Message.of("a/long/topic", "2", 0, false));
            c.publish(Message.of("b/other", "3", 0, false));
            Publish p1 = s.expect(Publish.class);
            Publish p2 = s.expect(Publish.class);
            Publish p3 = s.expect(Publish.class);
            assertThat(p1.topic()).isEqualTo("a/long/topic");
            assertThat(p1.properties().topicAlias()).isEqualTo(1);
            assertThat(p2.topic()).isEmpty();
            assertThat(p2.properties().topicAlias()).isEqualTo(1);
            assertThat(p3.topic()).isEqualTo("b/other");
            assertThat(p3.properties().topicAlias()).isNull();
            p1.release();
            p2.release();
            p3.release();
        }
        // A PUBLISH too large for the server is not sent, so its topic's alias was never announced:
        // the next PUBLISH to that topic must name it.
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(MqttProperties.builder().topicAliasMaximum(2).maximumPacketSize(64L).build()));
            CompletableFuture<PublishResult> big = c.publish(Message.builder("t/x").payload(new byte[100]).build());
            assertThatThrownBy(() -> big.get(5, TimeUnit.SECONDS)).hasMessageContaining("Maximum Packet Size");
            c.publish(Message.of("t/x", "small", 0, false));
            c.publish(Message.of("t/x", "again", 0, false));
            Publish first = s.expect(Publish.class);
            Publish second = s.expect(Publish.class);
            assertThat(first.topic()).isEqualTo("t/x");
            assertThat(first.properties().topicAlias()).isEqualTo(1);
            assertThat(second.topic()).isEmpty();
            assertThat(second.properties().topicAlias()).isEqualTo(1);
            first.release();
            second.release();
        }
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(false));
            c.publish(Message.of("a", "1", 0, false));
            c.publish(Message.of("a", "2", 0, false));
            for (int i = 0; i < 2; i++) {
                Publish p = s.expect(Publish.class);
                assertThat(p.topic()).isEqualTo("a");
                assertThat(p.properties().topicAlias()).isNull();
                p.release();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-15] [MQTT-3.2.2-11] [MQTT-3.2.2-14] the server's Maximum Packet Size, Maximum QoS and Retain Available are respected")
    void serverLimits() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(MqttProperties.builder().maximumPacketSize(64L).maximumQos(1).retainAvailable(0).build()));
            CompletableFuture<PublishResult> big = c.publish(Message.builder("big").payload(new byte[100]).build());
            CompletableFuture<PublishResult> qos2 = c.publish(Message.of("q", "x", 2, false));
            CompletableFuture<PublishResult> retained = c.publish(Message.of("r", "x", 0, true));
            assertThatThrownBy(() -> big.get(5, TimeUnit.SECONDS)).hasMessageContaining("Maximum Packet Size");
            assertThatThrownBy(() -> qos2.get(5, TimeUnit.SECONDS)).hasMessageContaining("MQTT-3.2.2-11");
            assertThatThrownBy(() -> retained.get(5, TimeUnit.SECONDS)).hasMessageContaining("MQTT-3.2.2-14");
            c.publish(Message.of("small", "ok", 0, false)).get(5, TimeUnit.SECONDS);
            Publish p = s.expect(Publish.class);
            assertThat(p.topic()).isEqualTo("small");
            p.release();
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-2] a PUBACK with an error reason ends the flow: the future fails, nothing is re-sent")
    void errorPubAck() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(false));
            CompletableFuture<PublishResult> f = c.publish(Message.of("denied", "x", 1, false));
            Publish p = s.expect(Publish.class);
            p.release();
            s.send(new PubAck(p.packetId(), ReasonCodes.NOT_AUTHORIZED,
                    MqttProperties.builder().reasonString("no").build()));
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasMessageContaining("not authorised");
            assertThat(c.inflightCount()).isZero();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-30] [MQTT-4.12.0-3] [MQTT-4.12.0-5] [MQTT-4.12.1-1] enhanced authentication: AUTH exchange with the hook, same method throughout, re-authentication")
    void enhancedAuthentication() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        EnhancedAuthenticator auth = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "TEST-CHALLENGE";
            }

            @Override
            public byte[] initialData() {
                return "hello".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] onContinue(byte[] serverData, MqttProperties properties) {
                steps.add("challenge " + new String(serverData, StandardCharsets.UTF_8));
                return "response".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public void onSuccess(byte[] serverData, MqttProperties properties) {
                steps.add("success " + (serverData == null ? "-" : new String(serverData, StandardCharsets.UTF_8)));
            }
        };
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).enhancedAuthentication(auth).build()) {
            CompletableFuture<ConnectResult> f = c.connect();
            c.publish(Message.of("early", "x", 0, false));
            s.accept();
            Connect connect = s.expect(Connect.class);
            assertThat(connect.properties().authenticationMethod()).isEqualTo("TEST-CHALLENGE");
            assertThat(new String(connect.properties().authenticationData(), StandardCharsets.UTF_8)).isEqualTo("hello");
            s.send(new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, MqttProperties.builder()
                    .authenticationMethod("TEST-CHALLENGE").authenticationData("nonce".getBytes()).build()));
            Auth reply = (Auth) s.read();
            assertThat(reply.reasonCode()).isEqualTo(ReasonCodes.CONTINUE_AUTHENTICATION);
            assertThat(reply.properties().authenticationMethod()).isEqualTo("TEST-CHALLENGE");
            assertThat(new String(reply.properties().authenticationData(), StandardCharsets.UTF_8)).isEqualTo("response");
            s.send(new ConnAck(false, 0, MqttProperties.builder().authenticationMethod("TEST-CHALLENGE")
                    .authenticationData("proof".getBytes()).build()));
            f.get(5, TimeUnit.SECONDS);
            Publish early = s.expect(Publish.class);
            early.release();
            assertThat(steps).containsExactly("challenge nonce", "success proof");

            CompletableFuture<Void> re = c.reauthenticate();
            Auth start = (Auth) s.read();
            assertThat(start.reasonCode()).isEqualTo(ReasonCodes.RE_AUTHENTICATE);
            assertThat(start.properties().authenticationMethod()).isEqualTo("TEST-CHALLENGE");
            s.send(new Auth(ReasonCodes.SUCCESS, MqttProperties.builder().authenticationMethod("TEST-CHALLENGE").build()));
            re.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-7] without an authentication method the client never sends AUTH; a server AUTH is a protocol error")
    void noAuthWithoutMethod() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            Connect connect = handshake(s, c, ok(false));
            assertThat(connect.properties().authenticationMethod()).isNull();
            assertThatThrownBy(() -> c.reauthenticate().get(5, TimeUnit.SECONDS))
                    .hasMessageContaining("no enhanced authentication");
            s.send(new Auth(ReasonCodes.CONTINUE_AUTHENTICATION,
                    MqttProperties.builder().authenticationMethod("X").build()));
            assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] [MQTT-3.3.1-4] [MQTT-2.2.2-2] [MQTT-4.13.2-1] malformed packets from the server close the connection (5.0: DISCONNECT 0x81 first)")
    void malformedFromServer() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            try (ScriptedServer s = new ScriptedServer(v);
                 TernClient c = client(s, v).build()) {
                handshake(s, c, ok(false));
                s.send(new byte[] {0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01}); // PUBLISH with QoS 3
                if (v.isV5()) {
                    assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.MALFORMED_PACKET);
                }
                assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
                await().atMost(Duration.ofSeconds(3)).until(() -> !c.isConnected());
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.14.4-1] [MQTT-3.14.4-2] after DISCONNECT the client sends nothing and closes; 5.0 reason 0x04 keeps the will")
    void disconnect() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).will(Message.of("w", "gone", 0, false)).build()) {
            handshake(s, c, ok(false));
            c.disconnect(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE, MqttProperties.EMPTY).get(5, TimeUnit.SECONDS);
            assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.DISCONNECT_WITH_WILL_MESSAGE);
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-2.3.1-6] [MQTT-2.2.1-5] SUBSCRIBE/UNSUBSCRIBE ids, SUBACK and UNSUBACK results, subscription options on 5.0")
    void subscribeAndUnsubscribe() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok(false));
            CompletableFuture<SubscribeResult> f = c.subscribe(List.of(
                    Subscription.of("a/+", 1).withNoLocal(true).withRetainAsPublished(true)
                            .withRetainHandling(RetainHandling.DO_NOT_SEND),
                    Subscription.of("denied", 2)),
                    MqttProperties.builder().addSubscriptionIdentifier(42).addUserProperty("k", "v").build(), m -> { });
            Subscribe sub = s.expect(Subscribe.class);
            assertThat(sub.packetId()).isNotZero();
            assertThat(sub.properties().subscriptionIdentifiers()).containsExactly(42);
            assertThat(sub.subscriptions().get(0).noLocal()).isTrue();
            assertThat(sub.subscriptions().get(0).retainAsPublished()).isTrue();
            assertThat(sub.subscriptions().get(0).retainHandling()).isEqualTo(2);
            s.send(new SubAck(sub.packetId(), List.of(1, ReasonCodes.NOT_AUTHORIZED), MqttProperties.EMPTY));
            SubscribeResult r = f.get(5, TimeUnit.SECONDS);
            assertThat(r.reasonCodes()).containsExactly(1, 0x87);
            assertThat(r.allGranted()).isFalse();
            CompletableFuture<UnsubscribeResult> u = c.unsubscribe("a/+");
            Unsubscribe un = s.expect(Unsubscribe.class);
            assertThat(un.filters()).containsExactly("a/+");
            s.send(new UnsubAck(un.packetId(), List.of(0), MqttProperties.EMPTY));
            assertThat(u.get(5, TimeUnit.SECONDS).reasonCodes()).containsExactly(0);
        }
    }

    @Test
    @DisplayName("5.0 SUBSCRIBE without an identifier: the client adds its own for routing, unless "
            + "ownSubscriptionIdentifiers(false); then a message is routed by its topic")
    void ownSubscriptionIdentifiers() throws Exception {
        for (boolean own : new boolean[] {true, false}) {
            try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
                 TernClient c = client(s, MqttVersion.MQTT_5).ownSubscriptionIdentifiers(own).build()) {
                handshake(s, c, ok(false));
                List<Message> got = new java.util.concurrent.CopyOnWriteArrayList<>();
                CompletableFuture<SubscribeResult> f = c.subscribe(List.of(Subscription.of("a/#", 0)),
                        MqttProperties.EMPTY, got::add);
                Subscribe sub = s.expect(Subscribe.class);
                if (own) {
                    assertThat(sub.properties().subscriptionIdentifiers()).as("own identifier").hasSize(1);
                } else {
                    assertThat(sub.properties().subscriptionIdentifiers()).isEmpty();
                }
                s.send(new SubAck(sub.packetId(), List.of(0), MqttProperties.EMPTY));
                f.get(5, TimeUnit.SECONDS);
                MqttProperties.Builder ids = MqttProperties.builder();
                sub.properties().subscriptionIdentifiers().forEach(ids::addSubscriptionIdentifier);
                s.send(publish("a/b", 0, 0, false, "x", ids.build()));
                await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
                assertThat(got.get(0).properties().subscriptionIdentifiers())
                        .isEqualTo(sub.properties().subscriptionIdentifiers());
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] [MQTT-4.7.0-1] [MQTT-3.3.2-2] [MQTT-4.7.3-2] [MQTT-4.7.3-3] [MQTT-1.5.3-1] [MQTT-3.3.2-14] invalid topics and filters are refused before anything is sent")
    void invalidTopicsRefused() {
        assertThatThrownBy(() -> Message.of("", "x", 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Message.of("a/+", "x", 0, false)).hasMessageContaining("MQTT-3.3.2-2");
        assertThatThrownBy(() -> Message.of("a\u0000b", "x", 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Message.of("a\ud800", "x", 0, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Message.of("x".repeat(65_536), "x", 0, false)).hasMessageContaining("65535");
        assertThatThrownBy(() -> Subscription.of("a/#/b", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Subscription.of("", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Subscription.of("$share/g/x", 0).withNoLocal(true)).hasMessageContaining("MQTT-3.8.3-4");
        assertThatThrownBy(() -> Message.builder("t").responseTopic("r/#")).hasMessageContaining("MQTT-3.3.2-14");
        assertThat(Subscription.of("$share/g/a/+", 1).matchFilter()).isEqualTo("a/+");
    }
}
