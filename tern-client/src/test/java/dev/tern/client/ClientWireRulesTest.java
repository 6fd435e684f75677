package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.UnsubAck;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bytes the client puts on the wire and its answers to unusual server packets. */
class ClientWireRulesTest {
    private static TernClientBuilder client(ScriptedServer s, MqttVersion v) {
        return TernClient.builder().serverHost("127.0.0.1").serverPort(s.port()).version(v).clientId("wire");
    }

    private static void handshake(ScriptedServer s, TernClient c, ConnAck answer) throws Exception {
        CompletableFuture<ConnectResult> f = c.connect();
        s.accept().expect(Connect.class);
        s.send(answer);
        f.get(5, TimeUnit.SECONDS);
    }

    private static ConnAck ok() {
        return new ConnAck(false, 0, MqttProperties.EMPTY);
    }

    @Test
    @DisplayName("[MQTT-2.2.2-1 (3.1.1)] [MQTT-2.1.3-1] [MQTT-1.5.5-1] [MQTT-3.3.1-2] [MQTT-4.3.1-1] [MQTT-3.3.2-1] [MQTT-2.2.2-1 (5.0)] fixed-header flags, minimal remaining length, QoS 0 without DUP, property length 0")
    void wireFormat() throws Exception {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            try (ScriptedServer s = new ScriptedServer(v); TernClient c = client(s, v).topicAliases(false).build()) {
                CompletableFuture<ConnectResult> f = c.connect();
                s.accept();
                byte[] connect = s.readRaw(Duration.ofSeconds(5));
                assertThat(connect[0] & 0xFF).isEqualTo(0x10);
                s.send(ok());
                f.get(5, TimeUnit.SECONDS);
                c.subscribe(Subscription.of("f", 1), m -> { });
                byte[] sub = s.readRaw(Duration.ofSeconds(5));
                assertThat(sub[0] & 0xFF).isEqualTo(0x82);
                c.unsubscribe("f");
                byte[] unsub = s.readRaw(Duration.ofSeconds(5));
                assertThat(unsub[0] & 0xFF).isEqualTo(0xA2);
                c.publish(Message.builder("t").payload(new byte[200]).build());
                byte[] pub = s.readRaw(Duration.ofSeconds(5));
                assertThat(pub[0] & 0xFF).isEqualTo(0x30); // QoS 0, DUP 0, RETAIN 0
                int remaining = 1 + 2 + (v.isV5() ? 1 : 0) + 200; // topic "t", property length 0 (5.0), payload
                assertThat(pub[1] & 0xFF).isEqualTo(0x80 | (remaining & 0x7F));
                assertThat(pub[2] & 0xFF).isEqualTo(remaining >> 7);
                assertThat(pub.length).isEqualTo(3 + remaining); // two length bytes: the fewest possible
                assertThat(pub[3]).isZero();
                assertThat(pub[4]).isEqualTo((byte) 1);
                assertThat(pub[5]).isEqualTo((byte) 't');
                if (v.isV5()) {
                    assertThat(pub[6]).as("property length").isZero();
                }
                c.disconnect();
                byte[] disconnect = s.readRaw(Duration.ofSeconds(5));
                assertThat(disconnect).containsExactly(0xE0, 0x00);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-3] [MQTT-1.5.4-3] a BOM in a received topic or payload is kept")
    void byteOrderMarkKept() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok());
            List<Message> got = new CopyOnWriteArrayList<>();
            c.subscribe(Subscription.of("#", 0), got::add);
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(0), MqttProperties.EMPTY));
            s.send(new Publish("\uFEFFbom", QoS.AT_MOST_ONCE, false, false, 0, MqttProperties.EMPTY,
                    Unpooled.wrappedBuffer("\uFEFFx".getBytes(StandardCharsets.UTF_8))));
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            assertThat(got.get(0).topic()).isEqualTo("\uFEFFbom");
            assertThat(got.get(0).payloadAsString()).isEqualTo("\uFEFFx");
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] [MQTT-1.5.3-2] [MQTT-1.5.4-1] [MQTT-1.5.4-2] a topic with ill-formed UTF-8 or U+0000 from the server closes the connection")
    void illFormedUtf8FromServer() throws Exception {
        byte[][] topics = {{'a', (byte) 0xC0, (byte) 0x80}, {'a', 0, 'b'}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        for (byte[] topic : topics) {
            for (MqttVersion v : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
                try (ScriptedServer s = new ScriptedServer(v); TernClient c = client(s, v).build()) {
                    handshake(s, c, ok());
                    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                    b.write(0x30);
                    b.write(2 + topic.length + (v.isV5() ? 1 : 0) + 1);
                    b.write(0);
                    b.write(topic.length);
                    b.writeBytes(topic);
                    if (v.isV5()) {
                        b.write(0);
                    }
                    b.write('x');
                    s.send(b.toByteArray());
                    if (v.isV5()) {
                        assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.MALFORMED_PACKET);
                    }
                    assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
                }
            }
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-2] [MQTT-1.5.4-1] [MQTT-1.5.4-2] [MQTT-1.5.7-1] [MQTT-3.3.2-13] [MQTT-3.3.2-19] string properties must be valid MQTT UTF-8")
    void stringPropertiesChecked() {
        assertThatThrownBy(() -> Message.builder("t").contentType("a\u0000").build()).hasMessageContaining("MQTT-3.3.2-19");
        assertThatThrownBy(() -> Message.builder("t").responseTopic("r\ud800").build()).hasMessageContaining("MQTT-3.3.2-13");
        assertThatThrownBy(() -> Message.builder("t").userProperty("k\u0000", "v").build()).hasMessageContaining("MQTT-1.5.7-1");
        assertThatThrownBy(() -> Message.builder("t").userProperty("k", "\udc00").build()).hasMessageContaining("MQTT-1.5.7-1");
        assertThat(Message.builder("t").contentType("text/plain; charset=utf-8").userProperty("ключ", "値").build()
                .userProperties()).hasSize(1);
    }

    @Test
    @DisplayName("[MQTT-3.14.1-1] [MQTT-3.15.1-1] [MQTT-2.2.2-2] DISCONNECT or AUTH with reserved flag bits: DISCONNECT 0x81 and close")
    void reservedFlagsFromServer() throws Exception {
        for (byte[] bad : new byte[][] {{(byte) 0xE1, 0x00}, {(byte) 0xF1, 0x00}}) {
            try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
                 TernClient c = client(s, MqttVersion.MQTT_5).build()) {
                handshake(s, c, ok());
                s.send(bad);
                assertThat(s.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCodes.MALFORMED_PACKET);
                assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.4.2-1] [MQTT-3.5.2-1] [MQTT-3.6.2-1] [MQTT-3.7.2-1] only defined reason codes: 0x92 for unknown PUBREC/PUBREL ids (5.0)")
    void definedReasonCodes() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, ok());
            s.send(new PubRec(77));
            PubRel rel = s.expect(PubRel.class);
            assertThat(rel.packetId()).isEqualTo(77);
            assertThat(rel.reasonCode()).isEqualTo(ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND);
            s.send(new PubRel(78));
            PubComp comp = s.expect(PubComp.class);
            assertThat(comp.reasonCode()).isEqualTo(ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND);
            c.subscribe(Subscription.of("r", 1), m -> { });
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(1), MqttProperties.EMPTY));
            s.send(new Publish("r", QoS.AT_LEAST_ONCE, false, false, 5, MqttProperties.EMPTY, Unpooled.EMPTY_BUFFER));
            PubAck ack = s.expect(PubAck.class);
            assertThat(ack.reasonCode()).isZero();
            assertThat(ack.properties().isEmpty()).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2 (3.1.1)] [MQTT-4.3.2-5] [MQTT-3.3.4-1] after PUBACK, a PUBLISH with the same id is a new message")
    void qos1IdReusedAfterPubAck() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok());
            List<String> got = new CopyOnWriteArrayList<>();
            c.subscribe(Subscription.of("q1", 1), m -> got.add(m.payloadAsString()));
            Subscribe sub = s.expect(Subscribe.class);
            s.send(new SubAck(sub.packetId(), List.of(1), MqttProperties.EMPTY));
            s.send(new Publish("q1", QoS.AT_LEAST_ONCE, false, false, 5, MqttProperties.EMPTY,
                    Unpooled.wrappedBuffer("a".getBytes(StandardCharsets.UTF_8))));
            assertThat(s.expect(PubAck.class).packetId()).isEqualTo(5);
            s.send(new Publish("q1", QoS.AT_LEAST_ONCE, false, true, 5, MqttProperties.EMPTY,
                    Unpooled.wrappedBuffer("b".getBytes(StandardCharsets.UTF_8))));
            assertThat(s.expect(PubAck.class).packetId()).isEqualTo(5);
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
            assertThat(got).containsExactly("a", "b");
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-4] [MQTT-4.3.2-3] [MQTT-4.3.3-3] PUBRELs leave in the order the PUBRECs came; flows stay open until their acknowledgement")
    void pubRelOrder() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok());
            CompletableFuture<PublishResult> q1 = c.publish(Message.of("o", "one", 1, false));
            Publish first = s.expect(Publish.class);
            first.release();
            int[] ids = new int[3];
            for (int i = 0; i < 3; i++) {
                c.publish(Message.of("o", "m" + i, 2, false));
                Publish p = s.expect(Publish.class);
                ids[i] = p.packetId();
                p.release();
            }
            assertThat(q1).isNotDone();
            s.send(new PubRec(ids[2]));
            s.send(new PubRec(ids[0]));
            s.send(new PubRec(ids[1]));
            assertThat(s.expect(PubRel.class).packetId()).isEqualTo(ids[2]);
            assertThat(s.expect(PubRel.class).packetId()).isEqualTo(ids[0]);
            assertThat(s.expect(PubRel.class).packetId()).isEqualTo(ids[1]);
            s.send(new PubAck(first.packetId()));
            q1.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-2] [MQTT-3.1.2-4 (3.1.1)] [MQTT-3.1.2-23 (5.0)] reconnections use the same client id (the assigned one, if the server assigned it) and clean session 0")
    void clientIdentifiesSession() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).clientId("").sessionExpiryInterval(60)
                     .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(20), 1, 0, 0))
                     .build()) {
            CompletableFuture<ConnectResult> f = c.connect();
            s.accept();
            assertThat(s.expect(Connect.class).clientId()).isEmpty();
            s.send(new ConnAck(false, 0, MqttProperties.builder().assignedClientIdentifier("given-7").build()));
            assertThat(f.get(5, TimeUnit.SECONDS).clientId()).isEqualTo("given-7");
            s.dropConnection();
            s.accept();
            Connect again = s.expect(Connect.class);
            assertThat(again.clientId()).isEqualTo("given-7");
            assertThat(again.cleanStart()).isFalse();
            assertThat(again.properties().sessionExpiryInterval()).isEqualTo(60L);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-2] a failed re-authentication: the server's DISCONNECT ends the connection and the future fails")
    void failedReauthentication() throws Exception {
        EnhancedAuthenticator auth = new EnhancedAuthenticator() {
            @Override
            public String method() {
                return "M";
            }

            @Override
            public byte[] initialData() {
                return null;
            }

            @Override
            public byte[] onContinue(byte[] serverData, MqttProperties properties) {
                return null;
            }
        };
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).enhancedAuthentication(auth).build()) {
            handshake(s, c, new ConnAck(false, 0, MqttProperties.builder().authenticationMethod("M").build()));
            CompletableFuture<Void> re = c.reauthenticate();
            s.read();
            s.send(new Disconnect(ReasonCodes.NOT_AUTHORIZED, MqttProperties.EMPTY));
            assertThatThrownBy(() -> re.get(5, TimeUnit.SECONDS)).hasMessageContaining("re-authentication");
            assertThat(s.closedWithin(Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-3.14.2-3] [MQTT-3.14.2-4] DISCONNECT leaves out Reason String and User Properties that would exceed the server's Maximum Packet Size")
    void disconnectWithinServerLimit() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).build()) {
            handshake(s, c, new ConnAck(false, 0, MqttProperties.builder().maximumPacketSize(20L).build()));
            c.disconnect(0, MqttProperties.builder().reasonString("x".repeat(100)).addUserProperty("k", "v")
                    .sessionExpiryInterval(5L).build());
            Disconnect d = s.expect(Disconnect.class);
            assertThat(d.properties().reasonString()).isNull();
            assertThat(d.properties().userProperties()).isEmpty();
            assertThat(d.properties().sessionExpiryInterval()).isEqualTo(5L);
        }
    }

    @Test
    @DisplayName("PUBCOMP 0x92 for a PUBREL re-sent after a reconnection completes the publish: PUBREC had accepted it")
    void pubCompNotFoundAfterResend() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5).sessionExpiryInterval(60)
                     .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(20), 1, 0, 0))
                     .build()) {
            handshake(s, c, ok());
            CompletableFuture<PublishResult> f = c.publish(Message.of("q2", "x", 2, false));
            Publish p = s.expect(Publish.class);
            p.release();
            s.send(new PubRec(p.packetId()));
            s.expect(PubRel.class);
            s.dropConnection();
            s.accept().expect(Connect.class);
            s.send(new ConnAck(true, 0, MqttProperties.EMPTY));
            assertThat(s.expect(PubRel.class).packetId()).isEqualTo(p.packetId());
            s.send(new PubComp(p.packetId(), ReasonCodes.PACKET_IDENTIFIER_NOT_FOUND, MqttProperties.EMPTY));
            assertThat(f.get(5, TimeUnit.SECONDS).reasonCode()).isZero();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4 (5.0)] [MQTT-3.1.2-6] a session that ends with the connection: Clean Start 1 again, in-flight messages published anew (DUP 0)")
    void cleanStartDiscardsSession() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_5);
             TernClient c = client(s, MqttVersion.MQTT_5)
                     .automaticReconnect(new ReconnectPolicy(Duration.ofMillis(20), Duration.ofMillis(20), 1, 0, 0))
                     .build()) {
            handshake(s, c, ok());
            CompletableFuture<PublishResult> f = c.publish(Message.of("cs", "again", 1, false));
            Publish first = s.expect(Publish.class);
            first.release();
            s.dropConnection();
            s.accept();
            Connect again = s.expect(Connect.class);
            assertThat(again.cleanStart()).isTrue();
            s.send(ok());
            Publish anew = s.expect(Publish.class);
            assertThat(anew.dup()).isFalse();
            anew.release();
            s.send(new PubAck(anew.packetId()));
            f.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("UNSUBACK of 3.1.1 has no reason codes; results come back per request")
    void unsubAck311() throws Exception {
        try (ScriptedServer s = new ScriptedServer(MqttVersion.MQTT_3_1_1);
             TernClient c = client(s, MqttVersion.MQTT_3_1_1).build()) {
            handshake(s, c, ok());
            CompletableFuture<UnsubscribeResult> u = c.unsubscribe("a", "b");
            var un = s.expect(dev.tern.codec.packet.Unsubscribe.class);
            s.send(new UnsubAck(un.packetId()));
            assertThat(u.get(5, TimeUnit.SECONDS).filters()).containsExactly("a", "b");
        }
    }
}
