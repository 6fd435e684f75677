package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.testkit.ExternalCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code tern pub/sub/rr} (as a process on the test class path, with bin/tern's JVM options)
 * and Debian's {@code mosquitto_pub/sub/rr} side by side, for the tests that compare them.
 */
final class Tools {
    private Tools() {}

    /** Exit code, standard output and standard error of one run. */
    record Result(int exit, String out, String err) {}

    static ExternalCommand startTern(List<String> args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // The same JVM options as bin/tern (Netty's native transport and, on JDK 24+, its Unsafe use).
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 24) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tern.cli.Main"));
        cmd.addAll(args);
        return ExternalCommand.start(cmd);
    }

    static ExternalCommand startMosquitto(String tool, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("mosquitto_" + tool);
        cmd.addAll(args);
        return ExternalCommand.start(cmd);
    }

    static Result finish(ExternalCommand c) throws Exception {
        try (c) {
            int exit = c.waitFor(Duration.ofSeconds(30));
            return new Result(exit, c.stdout(), c.stderr());
        }
    }

    /** Runs {@code tool args} with both implementations at the same time; mosquitto's result first. */
    static Result[] both(String tool, String... args) throws Exception {
        List<String> a = List.of(args);
        ExternalCommand mosquitto = startMosquitto(tool, a);
        ExternalCommand tern = startTern(prepend(tool, a));
        return new Result[] {finish(mosquitto), finish(tern)};
    }

    /** Same exit code, same standard output, and no stack trace from Tern. */
    static void assertSame(Result[] r) {
        assertThat(r[1].exit()).as("exit code (tern stderr: %s)", r[1].err()).isEqualTo(r[0].exit());
        assertThat(r[1].out()).as("stdout").isEqualTo(r[0].out());
        assertNoStackTrace(r[1]);
    }

    /** One line on standard error, never a stack trace. */
    static void assertOneLineError(Result r) {
        assertThat(r.err().strip().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertNoStackTrace(r);
    }

    static void assertNoStackTrace(Result r) {
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** Waits until the client {@code clientId} is connected to {@code broker} with a subscription. */
    static void awaitSubscribed(TernBroker broker, String clientId) {
        await().atMost(Duration.ofSeconds(15)).until(() -> broker.sessionInfo(clientId).get(5, TimeUnit.SECONDS)
                .map(s -> s.connected() && !s.subscriptions().isEmpty()).orElse(false));
    }

    static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>(List.of(first));
        l.addAll(rest);
        return l;
    }
}
