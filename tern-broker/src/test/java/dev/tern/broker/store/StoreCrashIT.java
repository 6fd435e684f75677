package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * The store survives SIGKILL at random moments: a {@link StoreDriver} process commits from several
 * threads at once and prints what was acknowledged; the test kills it, opens the store, and checks
 * that every acknowledged entry is there with its payload, that every acknowledged removal stuck, and
 * that no message or reference count leaked; then it starts the driver again on the same store.
 *
 * <p>{@code -Dtern.crash.rounds=N} sets the number of kills (default 6; {@code scripts/crash-test}
 * runs many more).
 */
class StoreCrashIT {
    private static final int WRITERS = 4;

    @TempDir
    Path tmp;

    @Test
    @DisplayName("every commit acknowledged before a SIGKILL is in the store afterwards, and nothing leaks")
    void killRepeatedly() throws Exception {
        int rounds = Integer.getInteger("tern.crash.rounds", 6);
        long seed = Long.getLong("tern.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path dir = tmp.resolve("store");
        Log log = new Log();
        long totalAcks = 0;
        for (int round = 0; round < rounds; round++) {
            Path out = tmp.resolve("driver-" + round + ".out");
            Process p = startDriver(dir, out, round * 100_000_000L);
            awaitLine(p, out, "READY", Duration.ofSeconds(60));
            Thread.sleep(200 + random.nextInt(1500));
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            totalAcks += log.parse(Files.readString(out));
            verify(dir, log, "round " + round + " (seed " + seed + ")");
        }
        System.out.printf("StoreCrashIT: %d kills, %d acknowledged commits checked (seed %d)%n", rounds, totalAcks,
                seed);
        assertThat(totalAcks).as("commits acknowledged over all rounds").isGreaterThan(rounds * 10L);
    }

    private static Process startDriver(Path dir, Path out, long base) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreDriver.class.getName(), "crash", dir.toString(),
                String.valueOf(WRITERS), String.valueOf(base))
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitLine(Process p, Path out, String line, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && Files.readString(out).contains(line + "\n")) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the driver exited early: " + Files.readString(out));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the driver did not print " + line + " in time");
    }

    /** What the driver said, over all rounds. */
    private static final class Log {
        final Map<Integer, Set<Long>> acked = new HashMap<>();
        final Map<Integer, Set<Long>> removing = new HashMap<>();
        final Map<Integer, Set<Long>> removed = new HashMap<>();

        /** Reads complete lines only: the last one may have been cut by the kill. */
        long parse(String text) {
            int end = text.lastIndexOf('\n');
            long n = 0;
            for (String line : text.substring(0, end + 1).split("\n")) {
                String[] f = line.split(" ");
                Map<Integer, Set<Long>> target = switch (f[0]) {
                    case "ACK" -> acked;
                    case "REMOVING" -> removing;
                    case "REMOVED" -> removed;
                    default -> null;
                };
                if (target != null) {
                    target.computeIfAbsent(Integer.parseInt(f[1]), k -> new HashSet<>()).add(Long.parseLong(f[2]));
                    n += f[0].equals("ACK") ? 1 : 0;
                }
            }
            return n;
        }

        Set<Long> get(Map<Integer, Set<Long>> m, int w) {
            return m.getOrDefault(w, Set.of());
        }
    }

    private static void verify(Path dir, Log log, String when) throws Exception {
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            RecoveredState state = store.recover();
            state.retained().forEach(Message::release);
            Map<Integer, Set<Long>> presentA = new HashMap<>();
            long shared = 0;
            for (RecoveredSession s : state.sessions()) {
                String id = s.session().clientId();
                int w = Integer.parseInt(id.substring(1, id.length() - 1));
                Set<Long> present = read(store, s, w, when);
                assertThat(s.queue().entries()).isEqualTo(present.size());
                if (id.endsWith("b")) {
                    shared += present.size();
                    continue;
                }
                presentA.put(w, present);
                // Acknowledged and never asked to be removed: must be there.
                List<Long> lost = new ArrayList<>(log.get(log.acked, w));
                lost.removeAll(log.get(log.removing, w));
                lost.removeAll(present);
                assertThat(lost).as("acknowledged entries of writer %d missing after %s", w, when).isEmpty();
                // Removal acknowledged: must be gone.
                List<Long> resurrected = new ArrayList<>(log.get(log.removed, w));
                resurrected.retainAll(present);
                assertThat(resurrected).as("acknowledged removals of writer %d undone after %s", w, when).isEmpty();
            }
            for (RecoveredSession s : state.sessions()) {
                String id = s.session().clientId();
                if (id.endsWith("b")) {
                    int w = Integer.parseInt(id.substring(1, id.length() - 1));
                    // One batch queued for both sessions and one removed from both: always the same entries.
                    assertThat(read(store, s, w, when)).as("sessions of writer %d after %s", w, when)
                            .isEqualTo(presentA.get(w));
                }
            }
            // Shared messages exist once per entry pair; messages for one session live in their entries.
            RocksHandles h = store.handles();
            assertThat(count(h, h.messages)).as("shared messages after %s", when).isEqualTo(shared);
            assertThat(count(h, h.refs)).as("reference counts after %s", when).isEqualTo(shared);
        }
    }

    private static Set<Long> read(RocksDbStore store, RecoveredSession s, int w, String when) {
        Set<Long> present = new HashSet<>();
        long from = 0;
        while (true) {
            List<QueueEntry> page = store.readQueue(s.session().sessionKey(), from, 500).join();
            for (QueueEntry e : page) {
                assertThat(e.message()).as("message of %d:%d, %s", w, e.seq(), when).isNotNull();
                assertThat(e.message().payload().toString(StandardCharsets.UTF_8)).isEqualTo(w + ":" + e.seq());
                present.add(e.seq());
                e.release();
            }
            if (page.size() < 500) {
                return present;
            }
            from = page.get(page.size() - 1).seq() + 1;
        }
    }

    private static long count(RocksHandles h, org.rocksdb.ColumnFamilyHandle cf) {
        long n = 0;
        try (RocksIterator it = h.db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }
}
