package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.TernBroker;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file-backed session store, alone and as the memory of a client across process restarts. */
class SessionStoreTest {
    @TempDir
    Path dir;

    private static Message message(String topic, int qos) {
        return Message.builder(topic).payload("p-" + topic).qos(qos).retain(true).contentType("text/plain")
                .userProperty("k", "v").build();
    }

    @Test
    @DisplayName("records survive reopening; a torn tail is dropped with everything before it kept")
    void replayAndTornTail() throws Exception {
        Path file = dir.resolve("s.store");
        try (FileSessionStore s = FileSessionStore.open(file, true)) {
            s.add(new StoredPublish(1, message("a", 1), 0, false));
            s.add(new StoredPublish(2, message("b", 2), 0, false));
            s.update(2, 7, true);
            s.add(new StoredPublish(3, message("c", 1), 0, false));
            s.remove(3);
            s.addInboundQos2(9);
            s.addInboundQos2(10);
            s.removeInboundQos2(9);
        }
        try (FileSessionStore s = FileSessionStore.open(file, false)) {
            assertThat(s.outbound()).containsExactly(new StoredPublish(1, message("a", 1), 0, false),
                    new StoredPublish(2, message("b", 2), 7, true));
            assertThat(s.inboundQos2()).containsExactly(10);
            s.add(new StoredPublish(4, message("d", 1), 0, false));
        }
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3); // a crash in the middle of the last record
        }
        try (FileSessionStore s = FileSessionStore.open(file, false)) {
            assertThat(s.outbound()).extracting(StoredPublish::sequence).containsExactly(1L, 2L);
        }
        Files.writeString(file, "not a store");
        assertThatThrownBy(() -> FileSessionStore.open(file, false)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a Tern client session store");
    }

    @Test
    @DisplayName("compaction keeps the file small under churn")
    void compaction() throws Exception {
        Path file = dir.resolve("churn.store");
        try (FileSessionStore s = FileSessionStore.open(file, false)) {
            for (int i = 0; i < 4_000; i++) {
                s.add(new StoredPublish(i, message("t", 1), 0, false));
                s.update(i, 1 + i % 1000, false);
                s.remove(i);
            }
            s.add(new StoredPublish(99_999, message("last", 1), 0, false));
        }
        assertThat(Files.size(file)).isLessThan(200_000);
        try (FileSessionStore s = FileSessionStore.open(file, false)) {
            assertThat(s.outbound()).extracting(StoredPublish::sequence).containsExactly(99_999L);
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a restarted process re-sends its in-flight QoS 1/2 publishes (DUP, same ids) and PUBREL from the store")
    void restartResendsInflight() throws Exception {
        Path file = dir.resolve("client.store");
        int firstId;
        int secondId;
        try (ScriptedServer server = new ScriptedServer(MqttVersion.MQTT_3_1_1)) {
            FileSessionStore store = FileSessionStore.open(file, true);
            TernClient c = TernClient.builder().serverHost("127.0.0.1").serverPort(server.port()).clientId("durable")
                    .cleanStart(false).sessionStore(store).build();
            CompletableFuture<ConnectResult> f = c.connect();
            server.accept().expect(Connect.class);
            server.send(new ConnAck(false, 0, MqttProperties.EMPTY));
            f.get(5, TimeUnit.SECONDS);
            c.publish(Message.of("d/1", "one", 1, false));
            c.publish(Message.of("d/2", "two", 2, false));
            Publish p1 = server.expect(Publish.class);
            Publish p2 = server.expect(Publish.class);
            firstId = p1.packetId();
            secondId = p2.packetId();
            p1.release();
            p2.release();
            server.send(new PubRec(secondId));
            server.expect(PubRel.class);
            // The process "dies": the connection drops and the client object is abandoned.
            server.dropConnection();
            Thread.sleep(200);
            c.close();

            FileSessionStore reopened = FileSessionStore.open(file, true);
            assertThat(reopened.outbound()).hasSize(2);
            try (TernClient again = TernClient.builder().serverHost("127.0.0.1").serverPort(server.port())
                    .clientId("durable").cleanStart(false).sessionStore(reopened).build()) {
                CompletableFuture<ConnectResult> g = again.connect();
                server.accept().expect(Connect.class);
                server.send(new ConnAck(true, 0, MqttProperties.EMPTY));
                g.get(5, TimeUnit.SECONDS);
                Publish resent = server.expect(Publish.class);
                assertThat(resent.dup()).isTrue();
                assertThat(resent.packetId()).isEqualTo(firstId);
                assertThat(resent.payload().toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("one");
                resent.release();
                assertThat(server.expect(PubRel.class).packetId()).isEqualTo(secondId);
                server.send(new PubAck(firstId));
                server.send(new PubComp(secondId));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> again.inflightCount() == 0);
            }
        }
        try (FileSessionStore s = FileSessionStore.open(file, false)) {
            assertThat(s.outbound()).isEmpty();
        }
    }

    @Test
    @DisplayName("messages queued while offline survive a restart and reach a Tern broker later")
    void offlineQueueSurvivesRestart() throws Exception {
        Path file = dir.resolve("offline.store");
        try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
            int port = broker.port();
            // First process: no broker reachable yet (wrong port), messages are queued and stored.
            int deadPort = dev.tern.testkit.FreePort.find();
            TernClient first = TernClient.builder().serverHost("127.0.0.1").serverPort(deadPort).clientId("offline")
                    .cleanStart(false).automaticReconnect(ReconnectPolicy.exponential())
                    .sessionStore(FileSessionStore.open(file, true)).build();
            for (int i = 0; i < 5; i++) {
                first.publish(Message.of("offline/t", "m" + i, 1, false));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> first.queuedCount() == 5);
            first.close();

            try (BlockingClient sub = TernClient.builder().serverHost("127.0.0.1").serverPort(port).clientId("reader")
                    .buildBlocking()) {
                sub.connect();
                MessageStream messages = sub.subscribeStream(100, Subscription.of("offline/#", 1));
                try (TernClient second = TernClient.builder().serverHost("127.0.0.1").serverPort(port)
                        .clientId("offline").cleanStart(false).sessionStore(FileSessionStore.open(file, true)).build()) {
                    second.connect().get(5, TimeUnit.SECONDS);
                    for (int i = 0; i < 5; i++) {
                        assertThat(messages.receive(Duration.ofSeconds(5)).orElseThrow().payloadAsString())
                                .isEqualTo("m" + i);
                    }
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                            .until(() -> second.inflightCount() == 0 && second.queuedCount() == 0);
                }
            }
        }
    }

    @Test
    @DisplayName("the offline queue is bounded: FAIL_NEW refuses, DROP_OLDEST drops the oldest")
    void boundedQueue() throws Exception {
        int deadPort = dev.tern.testkit.FreePort.find();
        TernClientBuilder b = TernClient.builder().serverHost("127.0.0.1").serverPort(deadPort)
                .automaticReconnect(ReconnectPolicy.exponential());
        try (TernClient failNew = b.messageQueue(2, OverflowPolicy.FAIL_NEW).build()) {
            failNew.publish(Message.of("q", "1", 1, false));
            failNew.publish(Message.of("q", "2", 1, false));
            CompletableFuture<PublishResult> third = failNew.publish(Message.of("q", "3", 1, false));
            assertThatThrownBy(() -> third.get(5, TimeUnit.SECONDS)).hasMessageContaining("queue full");
        }
        try (TernClient dropOldest = b.messageQueue(2, OverflowPolicy.DROP_OLDEST).build()) {
            CompletableFuture<PublishResult> oldest = dropOldest.publish(Message.of("q", "1", 1, false));
            dropOldest.publish(Message.of("q", "2", 1, false));
            dropOldest.publish(Message.of("q", "3", 1, false));
            assertThatThrownBy(() -> oldest.get(5, TimeUnit.SECONDS)).hasMessageContaining("dropped");
            assertThat(dropOldest.queuedCount()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("reconnect delays grow exponentially up to the maximum, with the jitter taken off")
    void backoff() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), 2, 0.5, 0);
        java.util.Random r = new java.util.Random(7);
        for (int attempt = 0; attempt < 10; attempt++) {
            long cap = Math.min(2000, 100L << attempt);
            for (int i = 0; i < 50; i++) {
                long d = p.delay(attempt, r).toMillis();
                assertThat(d).isBetween(cap / 2 - 1, cap);
            }
        }
        assertThat(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(2), 2, 0, 0).delay(3, r))
                .isEqualTo(Duration.ofMillis(800));
        assertThat(List.of(p.withJitter(1).jitter(), p.withMaxAttempts(3).maxAttempts())).containsExactly(1.0, 3);
    }
}
