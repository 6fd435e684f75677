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

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    @DisplayName("random schedules: every message sent and completed once, re-sent only with DUP 1")
    void randomSchedule(long seed) {
        Random random = new Random(seed);
        SlowReads store = new SlowReads();
        SessionRecord session = new SessionRecord("c", store.newSessionKey(), MqttVersion.MQTT_5,
                SessionRecord.NEVER_EXPIRES, 0);
        store.commit(new StoreBatch().putSession(session)).join();
        StoredOutboxTest.Host host = new StoredOutboxTest.Host();
        int window = 1 + random.nextInt(8);
        StoredOutbox outbox = new StoredOutbox(store, host, "c",
                new StoredOutbox.Incarnation(session.sessionKey(), 0, 0), 0, window);

        Map<Long, QoS> published = new HashMap<>();
        List<Long> reserved = new ArrayList<>(); // positions whose commit has not completed yet
        Set<Long> completed = new HashSet<>();
        Map<Long, Integer> sentOnThisConnection = new HashMap<>();
        List<String> violations = new ArrayList<>();
        int connection = 0;
        boolean online = false;

        for (int step = 0; step < 3000; step++) {
            int action = random.nextInt(100);
            if (action < 30) {
                reserved.add(outbox.incarnation().reserve());
            } else if (action < 50 && !reserved.isEmpty()) {
                long seq = reserved.remove(random.nextInt(reserved.size())); // commits complete in any order
                QoS qos = random.nextInt(3) == 0 ? QoS.EXACTLY_ONCE : QoS.AT_LEAST_ONCE;
                Message m = new Message("t", Unpooled.copiedBuffer(String.valueOf(seq), StandardCharsets.UTF_8), qos,
                        false, MqttProperties.EMPTY, "p");
                store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq, qos,
                        false, List.of())))).join();
                published.put(seq, qos);
                outbox.arrived(new Delivery(m, qos, false, List.of()), session.sessionKey(), seq);
                outbox.pump();
            } else if (action < 75 && online) {
                List<Long> flights = outbox.inflightSeqs();
                if (!flights.isEmpty()) {
                    long seq = flights.get(random.nextInt(flights.size()));
                    int id = StoredOutbox.packetId(seq);
                    boolean done = published.get(seq) == QoS.AT_LEAST_ONCE ? outbox.onPubAck(id)
                            : outbox.onPubComp(id) || outbox.onPubRec(id, 0, x -> { });
                    if (done && !outbox.inflightSeqs().contains(seq)) {
                        if (!completed.add(seq)) {
                            violations.add("completed twice: " + seq);
                        }
                    }
                }
            } else if (action < 85 && !store.pendingReads.isEmpty()) {
                store.pendingReads.remove(0).run();
            } else if (action < 90) {
                if (online) {
                    host.connected = false;
                    outbox.detach();
                } else {
                    host.connected = true;
                    connection++;
                    sentOnThisConnection.clear();
                    outbox.attach(window);
                }
                online = !online;
            }
            runTasks(host, store);
            record(host, sentOnThisConnection, violations, connection);
        }

        // Finish: commit what is reserved, connect, and acknowledge everything.
        for (long seq : reserved) {
            Message m = new Message("t", Unpooled.copiedBuffer(String.valueOf(seq), StandardCharsets.UTF_8),
                    QoS.AT_LEAST_ONCE, false, MqttProperties.EMPTY, "p");
            store.commit(new StoreBatch().enqueue(m, List.of(new QueueTarget("c", session.sessionKey(), seq,
                    QoS.AT_LEAST_ONCE, false, List.of())))).join();
            published.put(seq, QoS.AT_LEAST_ONCE);
            outbox.arrived(new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()), session.sessionKey(), seq);
        }
        if (!online) {
            host.connected = true;
            connection++;
            sentOnThisConnection.clear();
            outbox.attach(window);
        }
        for (int round = 0; round < 100_000 && completed.size() < published.size(); round++) {
            while (!store.pendingReads.isEmpty()) {
                store.pendingReads.remove(0).run();
            }
            runTasks(host, store);
            outbox.pump();
            runTasks(host, store);
            record(host, sentOnThisConnection, violations, connection);
            for (long seq : outbox.inflightSeqs()) {
                int id = StoredOutbox.packetId(seq);
                boolean done = published.get(seq) == QoS.AT_LEAST_ONCE ? outbox.onPubAck(id)
                        : outbox.onPubComp(id) || outbox.onPubRec(id, 0, x -> { });
                if (done && !outbox.inflightSeqs().contains(seq) && !completed.add(seq)) {
                    violations.add("completed twice: " + seq);
                }
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
        outbox.releaseMemory();
        store.close();
    }

    private static void runTasks(StoredOutboxTest.Host host, Store store) {
        Runnable r;
        while ((r = host.tasks.poll()) != null) {
            r.run();
        }
    }

    /** Checks the writes since the last call: a PUBLISH twice on one connection only as DUP. */
    private static void record(StoredOutboxTest.Host host, Map<Long, Integer> sent, List<String> violations,
                               int connection) {
        for (String w : host.writes) {
            if (w.startsWith("PUBREL")) {
                continue;
            }
            String[] f = w.split("/");
            long seq = Long.parseLong(f[0]);
            boolean dup = f.length > 2;
            int times = sent.merge(seq, 1, Integer::sum);
            if (times > 1) {
                violations.add("sent " + seq + " twice on connection " + connection);
            }
            if (StoredOutbox.packetId(seq) != Integer.parseInt(f[1])) {
                violations.add("packet id of " + seq + " is " + f[1]);
            }
            if (connection == 1 && dup) {
                violations.add("DUP on the first connection for " + seq);
            }
        }
        host.writes.clear();
    }
}
