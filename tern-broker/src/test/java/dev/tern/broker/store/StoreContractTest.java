package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do, run against each implementation. "Restart" closes a durable store
 * and opens it again; the in-memory store keeps its state across a restart within the process.
 */
abstract class StoreContractTest {
    protected Store store;

    /** A fresh, empty store. */
    protected abstract Store create() throws Exception;

    /** The same store after a restart (a new instance for a durable store). */
    protected abstract Store restart(Store old) throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = create();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Message message(String topic, String payload, QoS qos, MqttProperties props) {
        return new Message(topic, Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8), qos, false, props,
                "publisher-1");
    }

    static String text(Message m) {
        return m.payload().toString(StandardCharsets.UTF_8);
    }

    SessionRecord session(String clientId) {
        return new SessionRecord(clientId, store.newSessionKey(), MqttVersion.MQTT_5, 3600, 0);
    }

    void commit(StoreBatch b) {
        store.commit(b).join();
    }

    /** Queues one message for the given sessions, at the given sequence number for each. */
    void enqueue(Message m, long seq, SessionRecord... sessions) {
        List<QueueTarget> targets = new ArrayList<>();
        for (SessionRecord s : sessions) {
            targets.add(new QueueTarget(s.clientId(), s.sessionKey(), seq, m.qos(), false, List.of()));
        }
        try {
            commit(new StoreBatch().enqueue(m, targets));
        } finally {
            m.release();
        }
    }

    List<QueueEntry> read(SessionRecord s) {
        return store.readQueue(s.sessionKey(), 0, 1000).join();
    }

    List<String> payloads(SessionRecord s) {
        List<QueueEntry> entries = read(s);
        List<String> out = new ArrayList<>();
        for (QueueEntry e : entries) {
            out.add(e.message() == null ? (e.released() ? "<released>" : "<gone>") : text(e.message()));
            e.release();
        }
        return out;
    }

    RecoveredSession recovered(RecoveredState state, String clientId) {
        return state.sessions().stream().filter(s -> s.session().clientId().equals(clientId)).findFirst()
                .orElseThrow(() -> new AssertionError("no session " + clientId + " in " + state.sessions()));
    }

    RecoveredState restartAndRecover() throws Exception {
        store = restart(store);
        RecoveredState state = store.recover();
        state.retained().forEach(Message::release);
        return state;
    }

    @Test
    @DisplayName("a session with MQTT 5 subscription options, inbound QoS 2 ids and a will survives a restart")
    void sessionSurvivesRestart() throws Exception {
        SessionRecord s = new SessionRecord("dev-1", store.newSessionKey(), MqttVersion.MQTT_5, 120, 1_700_000_000_000L);
        SubscriptionRecord a = new SubscriptionRecord("a/+/c", QoS.EXACTLY_ONCE, true, true, 2, 268_435_455);
        SubscriptionRecord b = new SubscriptionRecord("$share/g/x/#", QoS.AT_LEAST_ONCE, false, false, 1, 7);
        MqttProperties willProps = MqttProperties.builder().willDelayInterval(30L).contentType("text/plain")
                .addUserProperty("k", "v").messageExpiryInterval(60L).build();
        WillRecord will = new WillRecord("status/dev-1", "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                true, willProps, 0);
        commit(new StoreBatch().putSession(s).putSubscription("dev-1", a).putSubscription("dev-1", b)
                .addInboundQos2("dev-1", 17).addInboundQos2("dev-1", 65535).putWill("dev-1", will));

        RecoveredSession r = recovered(restartAndRecover(), "dev-1");
        assertThat(r.session()).isEqualTo(s);
        assertThat(r.subscriptions()).containsExactlyInAnyOrder(a, b);
        assertThat(r.inboundQos2()).containsExactlyInAnyOrder(17, 65535);
        assertThat(r.will()).isEqualTo(will);
        assertThat(r.will().delaySeconds()).isEqualTo(30);
    }

    @Test
    @DisplayName("removing subscriptions, inbound ids and wills sticks")
    void removalsStick() throws Exception {
        SessionRecord s = session("c");
        commit(new StoreBatch().putSession(s).putSubscription("c", SubscriptionRecord.of("x", QoS.AT_LEAST_ONCE))
                .putSubscription("c", SubscriptionRecord.of("y", QoS.AT_MOST_ONCE)).addInboundQos2("c", 1)
                .putWill("c", new WillRecord("w", new byte[0], QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY, 0)));
        commit(new StoreBatch().removeSubscription("c", "x").removeInboundQos2("c", 1).removeWill("c"));

        RecoveredSession r = recovered(restartAndRecover(), "c");
        assertThat(r.subscriptions()).containsExactly(SubscriptionRecord.of("y", QoS.AT_MOST_ONCE));
        assertThat(r.inboundQos2()).isEmpty();
        assertThat(r.will()).isNull();
    }

    @Test
    @DisplayName("a queued message keeps topic, QoS, publisher, payload and every MQTT 5 property")
    void messageRoundTrip() throws Exception {
        SessionRecord s = session("sub");
        commit(new StoreBatch().putSession(s));
        MqttProperties props = MqttProperties.builder().payloadFormatIndicator(1).contentType("application/json")
                .responseTopic("reply/here").correlationData(new byte[] {1, 2, 3})
                .addUserProperty("a", "1").addUserProperty("a", "2").addUserProperty("ü", "ß").build();
        Message m = new Message("t/ü", Unpooled.copiedBuffer("{\"v\":1}", StandardCharsets.UTF_8), QoS.EXACTLY_ONCE,
                true, props, "pub");
        try {
            commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("sub", s.sessionKey(), 5, QoS.AT_LEAST_ONCE,
                    true, List.of(3, 268_435_455)))));
        } finally {
            m.release();
        }
        restartAndRecover();
        List<QueueEntry> entries = read(s);
        try {
            assertThat(entries).hasSize(1);
            QueueEntry e = entries.get(0);
            assertThat(e.seq()).isEqualTo(5);
            assertThat(e.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(e.retain()).isTrue();
            assertThat(e.subscriptionIdentifiers()).containsExactly(3, 268_435_455);
            assertThat(e.released()).isFalse();
            Message back = e.message();
            assertThat(back.topic()).isEqualTo("t/ü");
            assertThat(back.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            assertThat(back.retain()).isTrue();
            assertThat(back.publisherId()).isEqualTo("pub");
            assertThat(back.properties()).isEqualTo(props);
            assertThat(text(back)).isEqualTo("{\"v\":1}");
        } finally {
            entries.forEach(QueueEntry::release);
        }
    }

    @Test
    @DisplayName("queues keep order, survive a restart, and report their shape")
    void queueOrderAndSummary() throws Exception {
        SessionRecord s = session("q");
        commit(new StoreBatch().putSession(s));
        for (int i = 0; i < 50; i++) {
            enqueue(message("t", "m" + i, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 100 + i, s);
        }
        commit(new StoreBatch().removeEntry(s.sessionKey(), 100).removeEntry(s.sessionKey(), 101));
        RecoveredState state = restartAndRecover();
        RecoveredSession r = recovered(state, "q");
        assertThat(r.queue()).isEqualTo(new QueueSummary(48, 102, 150));
        assertThat(state.queuedMessages()).isEqualTo(48);
        List<String> expected = new ArrayList<>();
        for (int i = 2; i < 50; i++) {
            expected.add("m" + i);
        }
        assertThat(payloads(s)).containsExactlyElementsOf(expected);
        List<QueueEntry> page = store.readQueue(s.sessionKey(), 120, 3).join();
        assertThat(page).extracting(QueueEntry::seq).containsExactly(120L, 121L, 122L);
        page.forEach(QueueEntry::release);
    }

    @Test
    @DisplayName("one message fanned out to many sessions is read back by each; acknowledging all removes it")
    void fanOut() throws Exception {
        List<SessionRecord> sessions = new ArrayList<>();
        StoreBatch b = new StoreBatch();
        for (int i = 0; i < 20; i++) {
            SessionRecord s = session("s" + i);
            sessions.add(s);
            b.putSession(s);
        }
        commit(b);
        enqueue(message("fan", "hello", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 0,
                sessions.toArray(SessionRecord[]::new));
        restartAndRecover();
        for (SessionRecord s : sessions) {
            assertThat(payloads(s)).containsExactly("hello");
        }
        for (SessionRecord s : sessions) {
            commit(new StoreBatch().removeEntry(s.sessionKey(), 0));
        }
        for (SessionRecord s : sessions) {
            assertThat(read(s)).isEmpty();
        }
        assertSharedMessages(0);
    }

    /**
     * Checks how many messages queued for several sessions the store holds (each once), where the
     * implementation can tell.
     */
    protected void assertSharedMessages(long expected) throws Exception {
    }

    @Test
    @DisplayName("PUBREC releases the message but keeps the entry until PUBCOMP")
    void releaseThenRemove() throws Exception {
        SessionRecord s = session("r");
        commit(new StoreBatch().putSession(s));
        enqueue(message("t", "a", QoS.EXACTLY_ONCE, MqttProperties.EMPTY), 0, s);
        enqueue(message("t", "b", QoS.EXACTLY_ONCE, MqttProperties.EMPTY), 1, s);
        commit(new StoreBatch().releaseEntry(s.sessionKey(), 0));
        commit(new StoreBatch().releaseEntry(s.sessionKey(), 0)); // twice is harmless
        restartAndRecover();
        assertThat(payloads(s)).containsExactly("<released>", "b");
        commit(new StoreBatch().removeEntry(s.sessionKey(), 0));
        assertThat(payloads(s)).containsExactly("b");
    }

    @Test
    @DisplayName("a clean start (new session key) discards the old queue, subscriptions, ids and will")
    void cleanStartReplaces() throws Exception {
        SessionRecord old = session("cs");
        commit(new StoreBatch().putSession(old).putSubscription("cs", SubscriptionRecord.of("a", QoS.AT_LEAST_ONCE))
                .addInboundQos2("cs", 4)
                .putWill("cs", new WillRecord("w", new byte[] {1}, QoS.AT_MOST_ONCE, false, MqttProperties.EMPTY, 0)));
        enqueue(message("a", "old", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 0, old);
        SessionRecord fresh = session("cs");
        commit(new StoreBatch().putSession(fresh));
        enqueue(message("a", "late", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 1, old); // for the old incarnation
        RecoveredSession r = recovered(restartAndRecover(), "cs");
        assertThat(r.session().sessionKey()).isEqualTo(fresh.sessionKey());
        assertThat(r.subscriptions()).isEmpty();
        assertThat(r.inboundQos2()).isEmpty();
        assertThat(r.will()).isNull();
        assertThat(r.queue().entries()).isZero();
        assertThat(read(old)).isEmpty();
        assertSharedMessages(0);
    }

    @Test
    @DisplayName("removing a session removes everything filed under it")
    void removeSession() throws Exception {
        SessionRecord s = session("gone");
        SessionRecord other = session("stays");
        commit(new StoreBatch().putSession(s).putSession(other)
                .putSubscription("gone", SubscriptionRecord.of("a", QoS.AT_LEAST_ONCE)));
        enqueue(message("a", "x", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 0, s, other);
        enqueue(message("a", "y", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 1, s);
        commit(new StoreBatch().removeSession("gone"));
        RecoveredState state = restartAndRecover();
        assertThat(state.sessions()).extracting(x -> x.session().clientId()).containsExactly("stays");
        assertThat(read(s)).isEmpty();
        assertThat(payloads(other)).containsExactly("x");
        assertSharedMessages(1);
    }

    @Test
    @DisplayName("an enqueue for a session that does not exist stores nothing")
    void enqueueForUnknownSession() throws Exception {
        SessionRecord ghost = new SessionRecord("ghost", store.newSessionKey(), MqttVersion.MQTT_3_1_1,
                SessionRecord.NEVER_EXPIRES, 0);
        enqueue(message("a", "x", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), 0, ghost);
        assertThat(read(ghost)).isEmpty();
        assertSharedMessages(0);
    }

    @Test
    @DisplayName("retained messages with MQTT 5 properties survive a restart; replacing and removing work")
    void retained() throws Exception {
        MqttProperties props = MqttProperties.builder().contentType("c").addUserProperty("u", "v").build();
        Message a1 = new Message("r/a", Unpooled.copiedBuffer("1", StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true,
                props, "p");
        Message a2 = new Message("r/a", Unpooled.copiedBuffer("2", StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true,
                MqttProperties.EMPTY, null);
        Message b = new Message("r/b", Unpooled.copiedBuffer("b", StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, true,
                props, "p");
        Message c = new Message("r/c", Unpooled.copiedBuffer("c", StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true,
                MqttProperties.EMPTY, "p");
        try {
            commit(new StoreBatch().putRetained(a1).putRetained(b).putRetained(c));
            commit(new StoreBatch().putRetained(a2).removeRetained("r/c"));
        } finally {
            a1.release();
            a2.release();
            b.release();
            c.release();
        }
        store = restart(store);
        RecoveredState state = store.recover();
        try {
            assertThat(state.retained()).extracting(Message::topic).containsExactlyInAnyOrder("r/a", "r/b");
            Message ra = state.retained().stream().filter(m -> m.topic().equals("r/a")).findFirst().orElseThrow();
            Message rb = state.retained().stream().filter(m -> m.topic().equals("r/b")).findFirst().orElseThrow();
            assertThat(text(ra)).isEqualTo("2");
            assertThat(ra.qos()).isEqualTo(QoS.AT_MOST_ONCE);
            assertThat(ra.publisherId()).isNull();
            assertThat(rb.properties()).isEqualTo(props);
            assertThat(rb.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        } finally {
            state.retained().forEach(Message::release);
        }
    }

    @Test
    @DisplayName("an expired queued message comes back without its message or not at all; the remaining interval"
            + " of the others is lowered")
    void messageExpiry() throws Exception {
        SessionRecord s = session("exp");
        commit(new StoreBatch().putSession(s));
        Message shortLived = message("t", "short", QoS.AT_LEAST_ONCE,
                MqttProperties.builder().messageExpiryInterval(1L).build());
        enqueue(shortLived, 0, s);
        enqueue(message("t", "long", QoS.AT_LEAST_ONCE, MqttProperties.builder().messageExpiryInterval(3600L).build()),
                1, s);
        Thread.sleep(1100);
        List<QueueEntry> entries = read(s);
        try {
            QueueEntry last = entries.get(entries.size() - 1);
            assertThat(last.seq()).isEqualTo(1);
            assertThat(last.message().properties().messageExpiryInterval()).isBetween(3590L, 3600L);
            if (entries.size() == 2) {
                assertThat(entries.get(0).message()).isNull();
                assertThat(entries.get(0).released()).isFalse();
            } else {
                assertThat(entries).hasSize(1); // already swept
            }
        } finally {
            entries.forEach(QueueEntry::release);
        }
    }

    @Test
    @DisplayName("commits made one after another on one thread complete in order")
    void commitsCompleteInOrder() {
        SessionRecord s = session("o");
        commit(new StoreBatch().putSession(s));
        ConcurrentLinkedQueue<Integer> completed = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            futures.add(store.commit(new StoreBatch().addInboundQos2("o", i + 1)).thenRun(() -> completed.add(n)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add(i);
        }
        assertThat(completed).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("a new session key is never one a stored session has, also across a restart")
    void sessionKeysAreUnique() throws Exception {
        SessionRecord s = session("k");
        commit(new StoreBatch().putSession(s));
        long before = store.newSessionKey();
        assertThat(before).isNotEqualTo(s.sessionKey());
        restartAndRecover();
        long after = store.newSessionKey();
        assertThat(after).isGreaterThan(s.sessionKey());
    }

    @Test
    @DisplayName("a batch holding messages gives back its references even when it is refused")
    void closedStoreRefusesAndReleases() {
        SessionRecord s = session("z");
        commit(new StoreBatch().putSession(s));
        store.close();
        Message m = message("t", "x", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        try {
            CompletableFuture<Void> f = store.commit(new StoreBatch().enqueue(m,
                    List.of(new QueueTarget("z", s.sessionKey(), 0, QoS.AT_LEAST_ONCE, false, List.of()))));
            assertThatThrownBy(f::join).hasCauseInstanceOf(StoreException.class);
            assertThat(m.payload().refCnt()).isEqualTo(1);
        } finally {
            m.release();
        }
    }
}
