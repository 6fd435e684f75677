package dev.tern.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.store.EarlyAck;
import dev.tern.broker.store.InMemoryStore;
import dev.tern.broker.store.QueueEntry;
import dev.tern.broker.store.QueueTarget;
import dev.tern.broker.store.RecoveredState;
import dev.tern.broker.store.SessionRecord;
import dev.tern.broker.store.Store;
import dev.tern.broker.store.StoreBatch;
import dev.tern.broker.store.SyncPolicy;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link StoredOutbox} on the in-memory store, with a connection that records what it is asked to write. */
class StoredOutboxTest {
    InMemoryStore store;
    SessionRecord session;
    Host host;
    StoredOutbox outbox;

    /** Tasks the outbox hands to the owner loop, run by {@link #drain()}; and the connection. */
    static final class Host implements StoredOutbox.Host, SessionConnection {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        final List<String> writes = new ArrayList<>();
        boolean connected;
        boolean writable = true;
        String resync;

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        @Override
        public @Nullable SessionConnection connection() {
            return connected ? this : null;
        }

        @Override
        public void sent(Delivery d) {
        }

        @Override
        public void resync(String why) {
            resync = why;
        }

        /** Timers run with the other tasks: "later". */
        @Override
        public void schedule(long millis, Runnable task) {
            tasks.add(task);
        }

        @Override
        public EventLoop eventLoop() {
            throw new AssertionError("the outbox does not ask for the event loop");
        }

        @Override
        public boolean isActive() {
            return connected;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void attached(Session s, boolean sessionPresent) {
        }

        @Override
        public @Nullable Will takenOver() {
            return null;
        }

        @Override
        public void writePublish(Delivery d, int packetId, boolean dup) {
            writes.add(d.message().payload().toString(StandardCharsets.UTF_8) + "/" + packetId + (dup ? "/dup" : ""));
        }

        @Override
        public void writePubRel(int packetId) {
            writes.add("PUBREL/" + packetId);
        }

        @Override
        public void flush() {
        }

        @Override
        public void refusedByStore() {
            writes.add("REFUSED");
        }

        @Override
        public void close() {
            connected = false;
        }

        @Override
        public String describe() {
            return "test";
        }
    }

    @BeforeEach
    void setUp() {
        store = new InMemoryStore();
        session = new SessionRecord("c", store.newSessionKey(), MqttVersion.MQTT_3_1_1, SessionRecord.NEVER_EXPIRES, 0);
        store.commit(new StoreBatch().putSession(session)).join();
        host = new Host();
        outbox = new StoredOutbox(store, host, "c", new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, 5);
    }

    @AfterEach
    void tearDown() {
        drain();
        outbox.releaseMemory();
        store.close();
    }

    void drain() {
        Runnable r;
        while ((r = host.tasks.poll()) != null) {
            r.run();
        }
    }

    static Message message(String text, QoS qos, MqttProperties props) {
        return new Message("t", Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), qos, false, props, "p");
    }

    /** What a publisher does: reserve a position, commit, and hand the durable delivery over. */
    long publish(String text, QoS qos) {
        return publish(text, qos, MqttProperties.EMPTY);
    }

    long publish(String text, QoS qos, MqttProperties props) {
        long seq = outbox.incarnation().reserve();
        commitAndArrive(text, qos, props, seq);
        return seq;
    }

    void commitAndArrive(String text, QoS qos, MqttProperties props, long seq) {
        Message m = message(text, qos, props);
        store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq, qos, false,
                List.of())))).join();
        outbox.arrived(new Delivery(m, qos, false, List.of()), session.sessionKey(), seq);
        outbox.pump(); // as the session's mailbox drain does after deliveries
        drain();
    }

    List<Long> stored() {
        List<QueueEntry> entries = store.readQueue(session.sessionKey(), 0, 100_000).join();
        entries.forEach(QueueEntry::release);
        return entries.stream().map(QueueEntry::seq).toList();
    }

    void attach() {
        host.connected = true;
        outbox.attach(5);
        drain();
    }

    void detach() {
        host.connected = false;
        outbox.detach();
        drain();
    }

    @Test
    @DisplayName("online: a durable delivery is sent at once under the packet id of its position; PUBACK removes it")
    void onlineFlow() {
        attach();
        publish("a", QoS.AT_LEAST_ONCE);
        publish("b", QoS.AT_LEAST_ONCE);
        assertThat(host.writes).containsExactly("a/1", "b/2");
        assertThat(outbox.onPubAck(1)).isTrue();
        drain();
        assertThat(stored()).containsExactly(1L);
        assertThat(outbox.onPubAck(1)).as("a second PUBACK for the same id").isFalse();
        assertThat(outbox.incarnation().entries()).isEqualTo(1);
    }

    @Test
    @DisplayName("offline: nothing stays in memory; on attach the queue is read from the store and sent in order")
    void offlineThenAttach() {
        for (int i = 0; i < 3; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
        }
        assertThat(outbox.readyCount()).isZero();
        assertThat(outbox.queued()).isEqualTo(3);
        attach();
        assertThat(host.writes).containsExactly("m0/1", "m1/2", "m2/3");
    }

    @Test
    @DisplayName("a reconnect re-sends what was in flight with DUP 1 and the same packet ids (MQTT-4.4.0-1)")
    void reconnectResends() {
        attach();
        publish("a", QoS.AT_LEAST_ONCE);
        publish("b", QoS.AT_LEAST_ONCE);
        outbox.onPubAck(1);
        drain();
        detach();
        host.writes.clear();
        publish("c", QoS.AT_LEAST_ONCE); // while offline
        attach();
        assertThat(host.writes).containsExactly("b/2/dup", "c/3");
    }

    @Test
    @DisplayName("after a restart everything stored may have been sent: it goes with DUP 1")
    void restartMarksDup() {
        publish("a", QoS.AT_LEAST_ONCE);
        publish("b", QoS.EXACTLY_ONCE);
        var summary = store.recover().sessions().get(0).queue();
        outbox.releaseMemory();
        outbox = StoredOutbox.recovered(store, host, "c", session.sessionKey(), summary, 5);
        attach();
        assertThat(host.writes).containsExactly("a/1/dup", "b/2/dup");
    }

    @Test
    @DisplayName("QoS 2: PUBREL only once the PUBREC is durable; a reconnect re-sends the PUBREL; PUBCOMP removes the entry")
    void qos2() {
        attach();
        publish("x", QoS.EXACTLY_ONCE);
        List<Integer> pubRels = new ArrayList<>();
        assertThat(outbox.onPubRec(1, 0, pubRels::add)).isTrue();
        assertThat(pubRels).as("not before the store has the PUBREC").isEmpty();
        drain();
        assertThat(pubRels).containsExactly(1);
        List<QueueEntry> entries = store.readQueue(session.sessionKey(), 0, 10).join();
        assertThat(entries).singleElement().satisfies(e -> assertThat(e.released()).isTrue());
        entries.forEach(QueueEntry::release);

        detach();
        host.writes.clear();
        attach();
        assertThat(host.writes).containsExactly("PUBREL/1");
        assertThat(outbox.onPubComp(1)).isTrue();
        drain();
        assertThat(stored()).isEmpty();
        assertThat(outbox.incarnation().entries()).isZero();
    }

    @Test
    @DisplayName("an error PUBREC (MQTT 5) ends the flow and removes the entry")
    void errorPubRec() {
        attach();
        publish("x", QoS.EXACTLY_ONCE);
        assertThat(outbox.onPubRec(1, 0x80, id -> { })).isTrue();
        drain();
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("a long offline queue is read in pages: memory holds the window and a read-ahead, all is sent in order")
    void pagedReads() {
        int n = 1000;
        for (int i = 0; i < n; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
        }
        attach();
        List<String> sent = new ArrayList<>();
        int acked = 0;
        while (acked < n) {
            assertThat(outbox.readyCount() + outbox.inflightCount()).isLessThanOrEqualTo(StoredOutbox.READ_AHEAD + 5);
            sent.addAll(host.writes);
            host.writes.clear();
            List<Long> inflight = outbox.inflightSeqs();
            assertThat(inflight).isNotEmpty();
            for (long seq : inflight) {
                outbox.onPubAck(StoredOutbox.packetId(seq));
                acked++;
            }
            drain();
        }
        sent.addAll(host.writes);
        assertThat(sent).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(sent.get(i)).startsWith("m" + i + "/");
        }
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("a commit overtaken by a later one is still delivered, once")
    void overtakenCommit() {
        attach();
        long first = outbox.incarnation().reserve();
        long second = outbox.incarnation().reserve();
        commitAndArrive("second", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY, second);
        commitAndArrive("first", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY, first);
        assertThat(host.writes).containsExactlyInAnyOrder("second/2", "first/1");
    }

    @Test
    @DisplayName("an arrival released while a read ran that did not see it (its commit was overtaken by a later"
            + " one the read saw) is read again and goes out first, not after a reconnect")
    void arrivalMissedByRunningRead() {
        long first = outbox.incarnation().reserve();
        long second = outbox.incarnation().reserve();
        Message m2 = message("second", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        store.commit(new StoreBatch().enqueue(m2, List.of(new QueueTarget("c", session.sessionKey(), second,
                QoS.AT_LEAST_ONCE, false, List.of())))).join();
        host.connected = true;
        outbox.attach(5); // the read looks now: it sees "second" only; it completes when the tasks run
        Message m1 = message("first", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        store.commit(new StoreBatch().enqueue(m1, List.of(new QueueTarget("c", session.sessionKey(), first,
                QoS.AT_LEAST_ONCE, false, List.of())))).join();
        outbox.arrived(new Delivery(m1, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), first);
        outbox.arrived(new Delivery(m2, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), second);
        drain();
        outbox.pump();
        drain();
        assertThat(host.writes).containsExactly("first/1", "second/2");
        assertThat(outbox.onPubAck(1)).isTrue();
        assertThat(outbox.onPubAck(2)).isTrue();
        drain();
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("a message that expired in the store is removed, not sent")
    void expiredInStore() throws Exception {
        publish("old", QoS.AT_LEAST_ONCE, MqttProperties.builder().messageExpiryInterval(1L).build());
        publish("new", QoS.AT_LEAST_ONCE);
        Thread.sleep(1100);
        attach();
        assertThat(host.writes).containsExactly("new/2");
        assertThat(stored()).containsExactly(1L);
    }

    @Test
    @DisplayName("a packet id still in use 65,535 positions later holds the next message back until it is free")
    void packetIdCollision() {
        for (long seq : new long[] {0, 65_535}) {
            Message m = message("s" + seq, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
            store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                    QoS.AT_LEAST_ONCE, false, List.of())))).join();
            m.release();
        }
        outbox = new StoredOutbox(store, host, "c", new StoredOutbox.Incarnation(session.sessionKey(), 65_536, 2), 0, 5);
        attach();
        assertThat(host.writes).containsExactly("s0/1/dup");
        outbox.onPubAck(1);
        drain();
        assertThat(host.writes).containsExactly("s0/1/dup", "s65535/1/dup");
    }

    @Test
    @DisplayName("QoS 0 entries queued offline are sent once and removed")
    void storedQos0() {
        publish("zero", QoS.AT_MOST_ONCE);
        attach();
        assertThat(host.writes).containsExactly("zero/0");
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("a delivery for an earlier incarnation (before a clean start) is dropped")
    void staleIncarnation() {
        attach();
        long seq = outbox.incarnation().reserve();
        SessionRecord fresh = new SessionRecord("c", store.newSessionKey(), MqttVersion.MQTT_3_1_1,
                SessionRecord.NEVER_EXPIRES, 0);
        store.commit(new StoreBatch().putSession(fresh)).join();
        outbox.reset(fresh.sessionKey());
        outbox.attach(5);
        Message m = message("old", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        outbox.arrived(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), seq);
        drain();
        assertThat(host.writes).isEmpty();
        assertThat(m.payload().refCnt()).isZero();
    }

    /** Acknowledges what is in flight until nothing is, collecting what was written. */
    List<String> ackAll() {
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < 10_000; round++) {
            drain();
            sent.addAll(host.writes);
            host.writes.clear();
            List<Long> inflight = outbox.inflightSeqs();
            if (inflight.isEmpty()) {
                break;
            }
            inflight.forEach(seq -> outbox.onPubAck(StoredOutbox.packetId(seq)));
        }
        return sent;
    }

    @Test
    @DisplayName("write-through: a subscriber that keeps up gets every message from memory; nothing is read back")
    void writeThrough() {
        attach();
        for (int i = 0; i < 1000; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
            if (i % 3 == 0) {
                ackAll();
            }
        }
        ackAll();
        assertThat(outbox.entriesRead()).isZero();
        assertThat(outbox.kept()).isEqualTo(1000);
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("behind: what memory has no room for is read from the store, all in order; caught up, delivery"
            + " returns to memory")
    void fallsBehindAndCatchesUp() {
        outbox = new StoredOutbox(store, host, "c", new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, 5, 8);
        attach();
        host.writable = false;
        for (int i = 0; i < 20; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
        }
        assertThat(outbox.heldCount()).isEqualTo(8);
        assertThat(outbox.spilled()).isEqualTo(12);
        host.writable = true;
        outbox.pump();
        List<String> sent = ackAll();
        assertThat(sent).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(sent.get(i)).isEqualTo("m" + i + "/" + (i + 1));
        }
        assertThat(outbox.entriesRead()).as("only the 12 that did not fit").isEqualTo(12);
        for (int i = 20; i < 30; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
        }
        assertThat(ackAll()).hasSize(10);
        assertThat(outbox.entriesRead()).as("back to memory").isEqualTo(12);
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("arrivals while the backlog is read stay in memory and go out after it, without being read")
    void arrivalsDuringBacklogRead() {
        outbox = new StoredOutbox(store, host, "c", new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, 5, 4);
        attach();
        host.writable = false;
        for (int i = 0; i < 10; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE); // 4 in memory, 6 to read
        }
        host.writable = true;
        outbox.pump(); // the 4 in memory go out; a read of the backlog starts and completes when the tasks run
        assertThat(host.writes).containsExactly("m0/1", "m1/2", "m2/3", "m3/4");
        for (int i = 10; i < 13; i++) {
            long seq = outbox.incarnation().reserve();
            Message m = message("m" + i, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
            store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                    QoS.AT_LEAST_ONCE, false, List.of())))).join();
            outbox.arrived(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), seq);
        }
        List<String> sent = ackAll();
        assertThat(sent).containsExactly("m0/1", "m1/2", "m2/3", "m3/4", "m4/5", "m5/6", "m6/7", "m7/8", "m8/9", "m9/10", "m10/11", "m11/12",
                "m12/13");
        assertThat(outbox.entriesRead()).isEqualTo(6);
        assertThat(stored()).isEmpty();
    }

    @Test
    @DisplayName("a disconnect while messages wait in memory loses none: the next connection reads them in order")
    void detachWhileInMemory() {
        attach();
        host.writable = false;
        for (int i = 0; i < 3; i++) {
            publish("m" + i, QoS.AT_LEAST_ONCE);
        }
        assertThat(outbox.heldCount()).isEqualTo(3);
        detach();
        assertThat(outbox.heldCount()).isZero();
        host.writable = true;
        attach();
        assertThat(ackAll()).containsExactly("m0/1", "m1/2", "m2/3");
        assertThat(outbox.entriesRead()).isEqualTo(3);
    }

    @Test
    @DisplayName("a position whose commit never completes does not hold back what follows it for long")
    void failedCommitSkipped() {
        attach();
        long lost = outbox.incarnation().reserve();
        long seq = outbox.incarnation().reserve();
        commitAndArrive("after", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY, seq);
        outbox.incarnation().removed(); // the commit of "lost" failed
        drain(); // the wait for the missing position ends (the test's timers run with the tasks)
        assertThat(host.writes).containsExactly("after/" + StoredOutbox.packetId(seq));
        assertThat(lost).isLessThan(seq);
    }

    // ---- early hand-over (QoS 1 copies before the entry is durable) -----------------------------

    /** What DurableRouting does first for a connected session: a copy of the message, before the commit. */
    EarlyAck handOverEarly(String text, long seq) {
        EarlyAck ack = new EarlyAck();
        outbox.arrivedEarly(new Delivery(message(text, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY), QoS.AT_LEAST_ONCE,
                false, List.of()), session.sessionKey(), seq, ack);
        outbox.pump();
        drain();
        return ack;
    }

    /** Then the commit (the store's writer decides whether to write the entry) and the durable delivery. */
    void commitEarly(String text, long seq, EarlyAck ack) {
        Message m = message(text, QoS.AT_LEAST_ONCE, MqttProperties.EMPTY);
        store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                QoS.AT_LEAST_ONCE, false, List.of(), ack)))).join();
        outbox.arrived(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), seq, ack);
        outbox.pump();
        drain();
    }

    @Test
    @DisplayName("early hand-over: a PUBACK before the write means the entry is never written, and the durable"
            + " delivery that follows is not sent again")
    void earlyCopyAcknowledgedFirst() {
        attach();
        long seq = outbox.incarnation().reserve();
        EarlyAck ack = handOverEarly("a", seq);
        assertThat(host.writes).containsExactly("a/1");
        assertThat(outbox.onPubAck(1)).isTrue();
        drain();
        assertThat(ack.elided()).isTrue();
        assertThat(outbox.elisions()).isEqualTo(1);
        assertThat(outbox.incarnation().entries()).isZero();
        commitEarly("a", seq, ack);
        assertThat(stored()).as("the writer skips an entry acknowledged first").isEmpty();
        assertThat(host.writes).containsExactly("a/1");
        assertThat(outbox.incarnation().entries()).isZero();
        publish("b", QoS.AT_LEAST_ONCE); // and the queue goes on as before
        assertThat(host.writes).containsExactly("a/1", "b/2");
    }

    @Test
    @DisplayName("early hand-over: when the writer comes first the entry is written, and the PUBACK removes it")
    void earlyCopyWrittenFirst() {
        attach();
        long seq = outbox.incarnation().reserve();
        EarlyAck ack = handOverEarly("a", seq);
        commitEarly("a", seq, ack);
        assertThat(stored()).containsExactly(seq);
        assertThat(host.writes).as("the durable delivery is not sent a second time").containsExactly("a/1");
        assertThat(outbox.onPubAck(1)).isTrue();
        drain();
        assertThat(ack.elided()).isFalse();
        assertThat(stored()).isEmpty();
        assertThat(outbox.incarnation().entries()).isZero();
        assertThat(outbox.onPubAck(1)).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] early hand-over: a disconnect before the PUBACK and before the write; the"
            + " durable delivery is re-sent on the next connection with DUP 1")
    void earlyCopyThenDisconnect() {
        attach();
        long seq = outbox.incarnation().reserve();
        EarlyAck ack = handOverEarly("a", seq);
        detach();
        host.writes.clear();
        attach(); // the read finds nothing: the entry is not written yet
        assertThat(host.writes).isEmpty();
        commitEarly("a", seq, ack);
        assertThat(stored()).containsExactly(seq);
        assertThat(host.writes).containsExactly("a/1/dup");
        assertThat(outbox.onPubAck(1)).isTrue();
        drain();
        assertThat(stored()).isEmpty();
        assertThat(outbox.incarnation().entries()).isZero();
    }

    @Test
    @DisplayName("early hand-over: a copy that is not next in line is not taken (it could overtake an earlier"
            + " message of its publisher); the durable deliveries keep the order")
    void earlyCopyNotNextInLine() {
        attach();
        long first = outbox.incarnation().reserve();
        long second = outbox.incarnation().reserve();
        EarlyAck ack = handOverEarly("b", second);
        assertThat(host.writes).isEmpty();
        assertThat(outbox.earlyKept()).isZero();
        commitAndArrive("a", QoS.AT_LEAST_ONCE, MqttProperties.EMPTY, first);
        commitEarly("b", second, ack);
        assertThat(host.writes).containsExactly("a/1", "b/2");
        assertThat(stored()).containsExactly(first, second);
    }

    @Test
    @DisplayName("early hand-over: a commit that fails after the copy was acknowledged counts the entry once")
    void earlyCopyThenFailedCommit() {
        attach();
        long seq = outbox.incarnation().reserve();
        EarlyAck ack = handOverEarly("a", seq);
        assertThat(outbox.onPubAck(1)).isTrue();
        drain();
        // The commit failed: Session.unreserve gives the position back unless the PUBACK counted it.
        assertThat(ack.claimRemoval()).isFalse();
        assertThat(outbox.incarnation().entries()).isZero();
        EarlyAck other = handOverEarly("b", outbox.incarnation().reserve());
        assertThat(other.claimRemoval()).as("a failed commit before the PUBACK counts it").isTrue();
        outbox.incarnation().removed();
        assertThat(outbox.onPubAck(2)).isTrue(); // the copy went out; its PUBACK counts nothing more
        drain();
        assertThat(outbox.incarnation().entries()).isZero();
        assertThat(stored()).isEmpty();
    }

    /**
     * The in-memory store, but while {@link #holding} the outbox's commits wait (as behind a busy writer
     * thread) until {@link #release()}; reads and the test's own commits go straight through.
     */
    static final class SlowCommits implements Store {
        final InMemoryStore inner;
        boolean holding;
        final List<Runnable> held = new ArrayList<>();

        SlowCommits(InMemoryStore inner) {
            this.inner = inner;
        }

        void release() {
            holding = false;
            held.forEach(Runnable::run);
            held.clear();
        }

        @Override
        public CompletableFuture<Void> commit(StoreBatch batch) {
            if (!holding) {
                return inner.commit(batch);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(() -> inner.commit(batch).whenComplete((v, e) -> {
                if (e == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(e);
                }
            }));
            return f;
        }

        @Override
        public CompletableFuture<List<QueueEntry>> readQueue(long sessionKey, long fromSeq, int max) {
            return inner.readQueue(sessionKey, fromSeq, max);
        }

        @Override
        public RecoveredState recover() {
            return inner.recover();
        }

        @Override
        public long newSessionKey() {
            return inner.newSessionKey();
        }

        @Override
        public boolean durable() {
            return inner.durable();
        }

        @Override
        public SyncPolicy syncPolicy() {
            return inner.syncPolicy();
        }

        @Override
        public Health health() {
            return inner.health();
        }

        @Override
        public Stats stats() {
            return inner.stats();
        }

        @Override
        public void close() {
            release();
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a reconnect right after a PUBACK whose removal is not stored yet re-sends only"
            + " what was not complete (a QoS 2 flow before it), without waiting for the store")
    void reconnectBeforeRemovalsStored() {
        SlowCommits slow = new SlowCommits(store);
        outbox = new StoredOutbox(slow, host, "c", new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, 5);
        publish("q2", QoS.EXACTLY_ONCE); // queued while offline
        publish("q1", QoS.AT_LEAST_ONCE);
        attach();
        assertThat(host.writes).containsExactly("q2/1", "q1/2");
        List<Integer> pubRelDue = new ArrayList<>();
        assertThat(outbox.onPubRec(1, 0, pubRelDue::add)).isTrue();
        drain();
        assertThat(pubRelDue).containsExactly(1); // the QoS 2 flow now waits for PUBCOMP
        slow.holding = true; // the store's writer is busy: the removal waits
        assertThat(outbox.onPubAck(2)).isTrue(); // the QoS 1 flow after it completes first
        drain();
        detach(); // DISCONNECT right after the PUBACK
        host.writes.clear();
        attach(); // and a new connection at once: it reads again from the QoS 2 flow
        assertThat(stored()).as("the removal is not stored yet").containsExactly(0L, 1L);
        assertThat(host.writes).containsExactly("PUBREL/1");
        slow.release();
        drain();
        assertThat(host.writes).containsExactly("PUBREL/1");
        assertThat(stored()).containsExactly(0L);
        assertThat(outbox.onPubComp(1)).isTrue();
        drain();
        assertThat(stored()).isEmpty();
        assertThat(outbox.incarnation().entries()).isZero();
        assertThat(outbox.inflightCount()).isZero();
    }
}
