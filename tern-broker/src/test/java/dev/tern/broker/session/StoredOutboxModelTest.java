package dev.tern.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
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
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StoredOutbox} against a random mix of what happens to a persistent session: publishers whose
 * commits complete out of order, acknowledgements in any order, QoS 2 flows, disconnects and
 * reconnects, reads from the store that complete late. At the end, with everything acknowledged,
 * every message must have been sent and completed exactly once, and re-sent only with DUP 1 on a
 * later connection.
 */
class StoredOutboxModelTest {

    /** The in-memory store, with queue reads that complete only when the test says so. */
    static final class SlowReads implements Store {
        final InMemoryStore store = new InMemoryStore();
        final List<Runnable> pendingReads = new ArrayList<>();

        @Override
        public CompletableFuture<List<QueueEntry>> readQueue(long sessionKey, long fromSeq, int max) {
            CompletableFuture<List<QueueEntry>> f = new CompletableFuture<>();
            pendingReads.add(() -> store.readQueue(sessionKey, fromSeq, max).thenAccept(f::complete));
            return f;
        }

        @Override
        public RecoveredState recover() {
            return store.recover();
        }

        @Override
        public long newSessionKey() {
            return store.newSessionKey();
        }

        @Override
        public CompletableFuture<Void> commit(StoreBatch batch) {
            return store.commit(batch);
        }

        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public SyncPolicy syncPolicy() {
            return store.syncPolicy();
        }

        @Override
        public Health health() {
            return store.health();
        }

        @Override
        public Stats stats() {
            return store.stats();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    /** Bound on the messages waiting in memory in this test: small, so that it is passed often. */
    static final int MEMORY = 6;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    @DisplayName("random schedules: every message sent and completed once, in each publisher's order, re-sent only"
            + " with DUP 1; delivery switches from memory to the store and back, across disconnects and restarts")
    void randomSchedule(long seed) {
        Random random = new Random(seed);
        SlowReads store = new SlowReads();
        SessionRecord session = new SessionRecord("c", store.newSessionKey(), MqttVersion.MQTT_5,
                SessionRecord.NEVER_EXPIRES, 0);
        store.commit(new StoreBatch().putSession(session)).join();
        StoredOutboxTest.Host host = new StoredOutboxTest.Host();
        int window = 1 + random.nextInt(8);
        StoredOutbox outbox = new StoredOutbox(store, host, "c",
                new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, window, MEMORY);

        int publishers = 3;
        Map<Long, QoS> published = new HashMap<>();
        Map<Long, Integer> publisherOf = new HashMap<>();
        // Positions reserved and not committed yet, per publisher: each one's commits complete in its
        // order (one writer thread), the publishers' among each other in any order.
        List<ArrayDeque<Long>> reserved = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            reserved.add(new ArrayDeque<>());
        }
        Set<Long> completed = new HashSet<>();
        Connection conn = new Connection();
        List<String> violations = new ArrayList<>();
        boolean online = false;
        int restarts = 0;
        int detachesWithMemory = 0;
        int switchesBack = 0;
        boolean readAfterSpill = false;
        long spilledOnce = 0;
        long spilled = 0;
        long readWhileOnline = 0;

        for (int step = 0; step < 4000; step++) {
            int action = random.nextInt(100);
            long readBefore = outbox.entriesRead();
            long spillsBefore = outbox.spilled();
            if (action < 30) {
                int p = random.nextInt(publishers);
                long seq = outbox.incarnation().reserve();
                reserved.get(p).add(seq);
                publisherOf.put(seq, p);
            } else if (action < 52) {
                int p = random.nextInt(publishers);
                Long seq = reserved.get(p).poll();
                if (seq != null) {
                    if (random.nextInt(40) == 0) {
                        outbox.incarnation().removed(); // the commit failed: the position stays empty
                    } else {
                        QoS qos = random.nextInt(3) == 0 ? QoS.EXACTLY_ONCE : QoS.AT_LEAST_ONCE;
                        Message m = message(seq, qos);
                        store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(),
                                seq, qos, false, List.of())))).join();
                        published.put(seq, qos);
                        long keptBefore = outbox.kept();
                        outbox.arrived(new Delivery(m, qos, false, List.of()), session.sessionKey(), seq);
                        outbox.pump();
                        if (readAfterSpill && outbox.kept() > keptBefore) {
                            switchesBack++; // in memory again after reading what did not fit
                            readAfterSpill = false;
                        }
                    }
                }
            } else if (action < 72 && online) {
                List<Long> flights = outbox.inflightSeqs();
                if (!flights.isEmpty()) {
                    long seq = flights.get(random.nextInt(flights.size()));
                    acknowledge(outbox, published, completed, violations, seq);
                }
            } else if (action < 82 && !store.pendingReads.isEmpty()) {
                store.pendingReads.remove(0).run();
            } else if (action < 89) {
                // The subscriber's channel fills up and drains again: it falls behind and catches up.
                host.writable = !host.writable;
                if (host.writable) {
                    outbox.pump();
                }
            } else if (action < 95) {
                if (online) {
                    if (outbox.heldCount() > 0) {
                        detachesWithMemory++;
                    }
                    host.connected = false;
                    outbox.detach();
                } else {
                    host.connected = true;
                    conn.next();
                    outbox.attach(window);
                }
                online = !online;
            } else if (action < 97) {
                // A restart: what memory held is gone, so are commits that had not completed.
                runTasks(host, store);
                record(host, conn, publisherOf, violations);
                host.connected = false;
                online = false;
                outbox.releaseMemory();
                store.pendingReads.clear();
                host.tasks.clear();
                for (ArrayDeque<Long> r : reserved) {
                    r.clear();
                }
                spilled += outbox.spilled();
                readWhileOnline += outbox.entriesRead();
                var summary = store.recover().sessions().get(0).queue();
                // The durable store keeps the next position even of an empty queue; this one does not.
                long nextSeq = Math.max(summary.nextSeq(),
                        published.keySet().stream().mapToLong(x -> x + 1).max().orElse(0));
                outbox = new StoredOutbox(store, host, "c", new StoredOutbox.Incarnation(session.sessionKey(),
                        nextSeq, summary.entries()),
                        summary.entries() == 0 ? summary.nextSeq() : summary.firstSeq(), window, MEMORY);
                restarts++;
                conn.restarted();
            }
            runTasks(host, store);
            record(host, conn, publisherOf, violations);
            if (online && outbox.heldCount() > MEMORY + StoredOutbox.READ_AHEAD) {
                violations.add("memory holds " + outbox.heldCount() + " messages");
            }
            if (outbox.spilled() > spillsBefore) {
                spilledOnce = outbox.spilled(); // memory had no room: a backlog in the store
            }
            if (online && spilledOnce > 0 && outbox.entriesRead() > readBefore) {
                readAfterSpill = true; // behind: what did not fit is read from the store
            }
        }

        // Finish: commit what is reserved, connect, and acknowledge everything.
        for (ArrayDeque<Long> r : reserved) {
            for (long seq : r) {
                Message m = message(seq, QoS.AT_LEAST_ONCE);
                store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                        QoS.AT_LEAST_ONCE, false, List.of())))).join();
                published.put(seq, QoS.AT_LEAST_ONCE);
                outbox.arrived(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), seq);
            }
        }
        host.writable = true;
        if (!online) {
            host.connected = true;
            conn.next();
            outbox.attach(window);
        }
        for (int round = 0; round < 100_000 && completed.size() < published.size(); round++) {
            while (!store.pendingReads.isEmpty()) {
                store.pendingReads.remove(0).run();
            }
            runTasks(host, store);
            outbox.pump();
            runTasks(host, store);
            record(host, conn, publisherOf, violations);
            for (long seq : outbox.inflightSeqs()) {
                acknowledge(outbox, published, completed, violations, seq);
            }
        }
        runTasks(host, store);
        assertThat(violations).isEmpty();
        Set<Long> missing = new java.util.TreeSet<>(published.keySet());
        missing.removeAll(completed);
        assertThat(missing).as("flows never completed; %s", outbox).isEmpty();
        List<QueueEntry> left = store.readQueue(session.sessionKey(), 0, 100_000).getNow(null);
        assertThat(left).as("no read completes by itself in this store").isNull();
        store.pendingReads.remove(store.pendingReads.size() - 1).run();
        assertThat(outbox.incarnation().entries()).isZero();
        // The schedule went through what it is meant to test.
        assertThat(spilled + outbox.spilled()).as("arrivals that memory had no room for").isPositive();
        assertThat(readWhileOnline + outbox.entriesRead()).as("entries read back from the store").isPositive();
        assertThat(switchesBack).as("returns to delivery from memory after reading from the store").isPositive();
        assertThat(detachesWithMemory).as("disconnects while messages waited in memory").isPositive();
        assertThat(restarts).as("restarts").isPositive();
        outbox.releaseMemory();
        store.close();
    }

    private static Message message(long seq, QoS qos) {
        return new Message("t", Unpooled.copiedBuffer(String.valueOf(seq), StandardCharsets.UTF_8), qos, false,
                MqttProperties.EMPTY, "p");
    }

    private static void acknowledge(StoredOutbox outbox, Map<Long, QoS> published, Set<Long> completed,
                                    List<String> violations, long seq) {
        int id = StoredOutbox.packetId(seq);
        boolean done = published.get(seq) == QoS.AT_LEAST_ONCE ? outbox.onPubAck(id)
                : outbox.onPubComp(id) || outbox.onPubRec(id, 0, x -> { });
        if (done && !outbox.inflightSeqs().contains(seq) && !completed.add(seq)) {
            violations.add("completed twice: " + seq);
        }
    }

    /** What one connection of the subscriber has seen. */
    static final class Connection {
        int number;
        boolean restarted;
        final Map<Long, Integer> sent = new HashMap<>();
        final Map<Integer, Long> lastOfPublisher = new HashMap<>();

        void next() {
            number++;
            sent.clear();
            lastOfPublisher.clear();
        }

        void restarted() {
            restarted = true;
        }
    }

    private static void runTasks(StoredOutboxTest.Host host, Store store) {
        Runnable r;
        while ((r = host.tasks.poll()) != null) {
            r.run();
        }
    }

    /**
     * Checks the writes since the last call: a PUBLISH twice on one connection only as DUP, each
     * publisher's messages in its order, DUP 1 on the first connection only after a restart.
     */
    private static void record(StoredOutboxTest.Host host, Connection conn, Map<Long, Integer> publisherOf,
                               List<String> violations) {
        for (String w : host.writes) {
            if (w.startsWith("PUBREL")) {
                continue;
            }
            String[] f = w.split("/");
            long seq = Long.parseLong(f[0]);
            boolean dup = f.length > 2;
            int times = conn.sent.merge(seq, 1, Integer::sum);
            if (times > 1) {
                violations.add("sent " + seq + " twice on connection " + conn.number);
            }
            if (StoredOutbox.packetId(seq) != Integer.parseInt(f[1])) {
                violations.add("packet id of " + seq + " is " + f[1]);
            }
            if (conn.number == 1 && !conn.restarted && dup) {
                violations.add("DUP on the first connection for " + seq);
            }
            Long last = conn.lastOfPublisher.put(publisherOf.get(seq), seq);
            if (last != null && last > seq) {
                violations.add("publisher " + publisherOf.get(seq) + ": " + seq + " sent after " + last
                        + " on connection " + conn.number);
            }
        }
        host.writes.clear();
    }
}
