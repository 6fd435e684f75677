package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Message;
import dev.tern.testkit.ExternalCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store when the kernel refuses its writes. A real full disk cannot be had here without root
 * tricks (a loop-mounted or size-limited file system), so the test does what a full disk does to the
 * process: it lowers the file-size limit (RLIMIT_FSIZE) of a running {@link StoreDriver} with
 * {@code prlimit} to 0, so that every write that extends a file fails with EFBIG (SIGXFSZ is ignored,
 * as the broker's launcher would), and raises it again later. The store must refuse new data while
 * writes fail, recover by itself once they work, and keep everything it acknowledged.
 */
class StoreDiskFullIT {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("writes failing in the kernel: new data refused, recovery when space returns, nothing acknowledged lost")
    void kernelRefusesWrites() throws Exception {
        Assumptions.assumeTrue(ExternalCommand.isAvailable("prlimit"), "prlimit (util-linux) is not installed");
        Path dir = tmp.resolve("store");
        String java = ProcessHandle.current().info().command().orElse("java");
        String cmd = "trap '' XFSZ; exec '" + java + "' -XX:+UseSerialGC -Xmx256m --enable-native-access=ALL-UNNAMED"
                + " -cp '" + System.getProperty("java.class.path") + "' " + StoreDriver.class.getName() + " fill '"
                + dir + "'";
        // Output through a pipe: a file would fall under the same file-size limit as the store.
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectError(tmp.resolve("fill.err").toFile()).start();
        Lines out = new Lines(p);
        try {
            await(p, out, lines -> lines.stream().filter(l -> l.startsWith("ACK ")).count() >= 50,
                    "50 acknowledged commits", Duration.ofSeconds(60));

            Assumptions.assumeTrue(prlimit(p.pid(), "0:unlimited") == 0, "prlimit cannot change the file-size limit");
            await(p, out, lines -> lines.stream().anyMatch(l -> l.startsWith("FAIL ") && l.contains("cannot take new data")),
                    "a refused commit", Duration.ofSeconds(30));
            long acksWhileFull = count(out, "ACK ");

            assertThat(prlimit(p.pid(), "unlimited:unlimited")).isZero();
            await(p, out, lines -> lines.stream().filter(l -> l.startsWith("ACK ")).count() >= acksWhileFull + 50,
                    "50 more acknowledged commits after the limit was lifted", Duration.ofSeconds(60));
            List<String> lines = out.get();
            lines.stream().filter(l -> l.startsWith("HEALTH")).forEach(l -> System.out.println("StoreDiskFullIT: " + l));
            assertThat(lines).anyMatch(l -> l.startsWith("HEALTH ") && !l.equals("HEALTH ok"));
            assertThat(lines.get(lines.size() - 1)).doesNotStartWith("FAIL");
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }

        Set<Long> acked = new HashSet<>();
        for (String l : out.get()) {
            if (l.startsWith("ACK ")) {
                acked.add(Long.parseLong(l.substring(4)));
            }
        }
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir).withMinFreeBytes(0))) {
            RecoveredState state = store.recover();
            state.retained().forEach(Message::release);
            RecoveredSession s = state.sessions().get(0);
            Set<Long> present = new HashSet<>();
            for (long from = 0; ; ) {
                List<QueueEntry> page = store.readQueue(s.session().sessionKey(), from, 1000).join();
                page.forEach(e -> {
                    present.add(e.seq());
                    e.release();
                });
                if (page.size() < 1000) {
                    break;
                }
                from = page.get(page.size() - 1).seq() + 1;
            }
            List<Long> lost = new ArrayList<>(acked);
            lost.removeAll(present);
            assertThat(lost).as("acknowledged before, during or after the failure, and missing").isEmpty();
        }
    }

    private static int prlimit(long pid, String fsize) throws Exception {
        try (ExternalCommand c = ExternalCommand.start("prlimit", "--pid", String.valueOf(pid), "--fsize=" + fsize)) {
            return c.waitFor(Duration.ofSeconds(10));
        }
    }

    private static long count(Lines out, String prefix) {
        return out.get().stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** The driver's output lines, read as they come. */
    private static final class Lines {
        private final List<String> lines = new ArrayList<>();

        Lines(Process p) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "fill-output");
            t.setDaemon(true);
            t.start();
        }

        List<String> get() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }

    private static void await(Process p, Lines out, Predicate<List<String>> condition, String what,
                              Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(out.get())) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the driver exited while waiting for " + what + ": " + tail(out.get()));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within " + timeout + "; output ends with: "
                + String.join(" | ", tail(out.get())));
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 10), lines.size());
    }
}
