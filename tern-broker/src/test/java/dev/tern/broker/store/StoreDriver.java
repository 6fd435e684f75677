package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * A process that drives a {@link RocksDbStore} for the tests that must kill or starve it
 * ({@link StoreCrashIT}, {@link StoreDiskFullIT}). It prints one line per completed commit, flushed at
 * once, so that the test knows exactly what was acknowledged before the process died.
 *
 * <pre>
 * crash DIR WRITERS BASE  WRITERS threads; writer w queues messages "w:seq" (seq from BASE on) for the
 *                     sessions "w{w}a" and, for even w, "w{w}b", and removes every even one again once it
 *                     is stored; prints "ACK w seq", then "REMOVING w seq" before and "REMOVED w seq"
 *                     after such a removal
 * fill DIR            one session; queues 4 KiB messages until killed, up to 8 commits at a time (more,
 *                     paced, while a write hangs); prints "ACK seq" or "FAIL seq reason" per commit and
 *                     "HEALTH ok|reason" when the health changes
 * </pre>
 */
public final class StoreDriver {
    private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);

    private StoreDriver() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "crash" -> crash(dir, Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "fill" -> fill(dir);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static synchronized void say(String line) {
        OUT.println(line);
        OUT.flush();
    }

    static Message message(String payload) {
        return new Message("crash/test", Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
                false, MqttProperties.EMPTY, "driver");
    }

    private static void crash(Path dir, int writers, long base) throws Exception {
        RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir));
        RecoveredState state = store.recover();
        state.retained().forEach(Message::release);
        say("READY");
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads[w] = new Thread(() -> runWriter(store, state, writer, base));
            threads[w].start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /**
     * Writer w: even writers queue each message for two sessions ("w{w}a" and "w{w}b": stored once,
     * with a reference count), odd ones for one ("w{w}a": kept inside its entry).
     */
    private static void runWriter(Store store, RecoveredState state, int w, long base) {
        List<SessionRecord> sessions = new ArrayList<>();
        for (String suffix : w % 2 == 0 ? List.of("a", "b") : List.of("a")) {
            String clientId = "w" + w + suffix;
            RecoveredSession existing = state.sessions().stream()
                    .filter(s -> s.session().clientId().equals(clientId)).findFirst().orElse(null);
            SessionRecord session = existing != null ? existing.session() : new SessionRecord(clientId,
                    store.newSessionKey(), MqttVersion.MQTT_3_1_1, SessionRecord.NEVER_EXPIRES, 0);
            if (existing == null) {
                store.commit(new StoreBatch().putSession(session)).join();
            }
            sessions.add(session);
        }
        Semaphore window = new Semaphore(16); // several commits in flight per writer, as a broker has
        for (long seq = base; ; seq++) {
            window.acquireUninterruptibly();
            long s = seq;
            Message m = message(w + ":" + s);
            List<QueueTarget> targets = new ArrayList<>();
            for (SessionRecord session : sessions) {
                targets.add(new QueueTarget(session.clientId(), session.sessionKey(), s, QoS.AT_LEAST_ONCE, false,
                        List.of()));
            }
            StoreBatch b = new StoreBatch().enqueue(m, targets);
            m.release();
            store.commit(b).whenComplete((v, e) -> {
                if (e != null) {
                    window.release();
                    return;
                }
                say("ACK " + w + " " + s);
                if (s % 2 == 0) {
                    // Every other entry is removed again once stored, as an acknowledgement does.
                    say("REMOVING " + w + " " + s);
                    StoreBatch removal = new StoreBatch();
                    for (SessionRecord session : sessions) {
                        removal.removeEntry(session.sessionKey(), s);
                    }
                    store.commit(removal).whenComplete((v2, e2) -> {
                        window.release();
                        if (e2 == null) {
                            say("REMOVED " + w + " " + s);
                        }
                    });
                } else {
                    window.release();
                }
            });
        }
    }

    private static void fill(Path dir) throws Exception {
        RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir).withMinFreeBytes(0));
        store.recover().retained().forEach(Message::release);
        SessionRecord session = new SessionRecord("filler", store.newSessionKey(), MqttVersion.MQTT_3_1_1,
                SessionRecord.NEVER_EXPIRES, 0);
        store.commit(new StoreBatch().putSession(session)).join();
        String payload = "x".repeat(4096);
        String health = "ok";
        say("READY");
        Semaphore window = new Semaphore(8);
        for (long seq = 0; ; seq++) {
            // While a write hangs, keep committing (unthrottled but paced): those must be refused.
            boolean permit = window.tryAcquire(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            Message m = message(payload);
            StoreBatch b = new StoreBatch().enqueue(m, List.of(new QueueTarget("filler", session.sessionKey(), seq,
                    QoS.AT_LEAST_ONCE, false, List.of())));
            m.release();
            long s = seq;
            store.commit(b).whenComplete((v, e) -> {
                if (permit) {
                    window.release();
                }
                say(e == null ? "ACK " + s : "FAIL " + s + " " + e.getMessage());
            });
            if (!permit) {
                Thread.sleep(20);
            }
            Store.Health h = store.health();
            String now = h.available() ? "ok" : String.valueOf(h.reason());
            if (!now.equals(health)) {
                health = now;
                say("HEALTH " + now);
            }
        }
    }
}
