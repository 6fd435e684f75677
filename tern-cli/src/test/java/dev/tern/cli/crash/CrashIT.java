package dev.tern.cli.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.testkit.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of the crash test of issue 5 ({@link CrashTest}; {@code scripts/crash-test} runs the
 * long one): Tern in its own process, killed with SIGKILL at random moments while QoS 1 and QoS 2
 * publishers and persistent subscribers (Eclipse Paho) work, restarted on the same store each time.
 * {@code -Dtern.crash.kills=N} and {@code -Dtern.crash.seed=S} change the run.
 */
class CrashIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("SIGKILL at random moments: every acknowledged message arrives (QoS 1 at least once, QoS 2 exactly"
            + " once, in order), retained messages and subscriptions survive")
    void killRepeatedly() throws Exception {
        int kills = Integer.getInteger("tern.crash.kills", 3);
        long seed = Long.getLong("tern.crash.seed", System.nanoTime());
        CrashTest.Broker broker = new CrashTest.TernBroker(dir, FreePort.find(), "always",
                System.getProperty("java.class.path"));
        CrashTest.Report r = CrashTest.run(new CrashTest.Config(broker, kills, seed, 2, 2, 100,
                Duration.ofMillis(300), Duration.ofMillis(1500)));
        System.out.printf("CrashIT: %d kills (seed %d): %d acknowledged, %d received, %d duplicates%n%s", r.kills(),
                seed, r.acknowledged(), r.received(), r.duplicates(), r.details());
        assertThat(r.violations()).as("broken promises (seed %d)", seed).isEmpty();
        assertThat(r.acknowledged()).as("messages acknowledged").isGreaterThan(100);
    }
}
