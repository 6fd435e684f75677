package dev.tern.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.test.TestBroker;
import dev.tern.testkit.ExternalCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Debian's mosquitto_pub and mosquitto_sub (2.0.11) run as processes against an embedded Tern. */
class MosquittoClientsIT {
    private static final Duration EXIT = Duration.ofSeconds(15);

    /**
     * The {@code $SYS/broker/} topics mosquitto 2.0.11 publishes (with {@code sys_interval 1}, after a
     * client connected); Tern publishes all of them.
     */
    private static final List<String> MOSQUITTO_SYS_TOPICS = List.of(
            "version", "uptime",
            "clients/total", "clients/inactive", "clients/disconnected", "clients/active", "clients/connected",
            "clients/expired", "clients/maximum",
            "messages/received", "messages/sent",
            "subscriptions/count", "retained messages/count",
            "heap/current", "heap/maximum",
            "publish/messages/dropped", "publish/messages/received", "publish/messages/sent",
            "bytes/received", "bytes/sent",
            "load/messages/received/1min", "load/messages/received/5min", "load/messages/received/15min",
            "load/messages/sent/1min", "load/messages/sent/5min", "load/messages/sent/15min",
            "load/publish/dropped/1min", "load/publish/dropped/5min", "load/publish/dropped/15min",
            "load/publish/received/1min", "load/publish/received/5min", "load/publish/received/15min",
            "load/publish/sent/1min", "load/publish/sent/5min", "load/publish/sent/15min",
            "load/bytes/received/1min", "load/bytes/received/5min", "load/bytes/received/15min",
            "load/bytes/sent/1min", "load/bytes/sent/5min", "load/bytes/sent/15min",
            "load/sockets/1min", "load/sockets/5min", "load/sockets/15min",
            "load/connections/1min", "load/connections/5min", "load/connections/15min",
            "messages/stored", "store/messages/count", "store/messages/bytes", "shared_subscriptions/count",
            "publish/bytes/received", "publish/bytes/sent");

    private TestBroker broker;
    private final List<ExternalCommand> processes = new ArrayList<>();

    @BeforeAll
    static void requireClients() {
        Peers.requireMosquittoClients();
    }

    @AfterEach
    void stop() throws Exception {
        for (ExternalCommand p : processes) {
            p.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    private ExternalCommand run(String program, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program, "-h", "127.0.0.1", "-p", Integer.toString(broker.port())));
        command.addAll(args);
        ExternalCommand p = ExternalCommand.start(command);
        processes.add(p);
        return p;
    }

    /** Starts mosquitto_sub and waits until the broker holds {@code subscriptions} subscriptions in total. */
    private ExternalCommand subscriber(long subscriptions, String... args) throws Exception {
        ExternalCommand sub = run("mosquitto_sub", List.of(args));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (!sub.isAlive()) {
                throw new AssertionError("mosquitto_sub exited early: " + sub.stderr());
            }
            return broker.broker().subscriptionCount() >= subscriptions;
        });
        return sub;
    }

    /** Runs mosquitto_pub to completion and asserts it succeeded. */
    private void publish(String... args) throws Exception {
        ExternalCommand pub = run("mosquitto_pub", List.of(args));
        assertThat(pub.waitFor(EXIT)).as("mosquitto_pub %s: %s", List.of(args), pub.stderr()).isZero();
    }

    private static List<String> output(ExternalCommand sub) throws InterruptedException {
        assertThat(sub.waitFor(EXIT)).as("mosquitto_sub exit code; stderr: %s", sub.stderr()).isZero();
        return sub.stdoutLines();
    }

    @ParameterizedTest(name = "-V {0} -q {1}")
    @CsvSource({"mqttv311,0", "mqttv311,1", "mqttv311,2", "mqttv31,0", "mqttv31,1", "mqttv31,2"})
    @DisplayName("mosquitto_sub -C 1 receives what mosquitto_pub sends, per protocol version and QoS")
    void publishAndSubscribe(String version, int qos) throws Exception {
        startBroker();
        String q = Integer.toString(qos);
        ExternalCommand sub = subscriber(1, "-V", version, "-q", q, "-t", "cli/" + version, "-C", "1",
                "-F", "%t|%q|%r|%p");
        publish("-V", version, "-q", q, "-t", "cli/" + version, "-m", "hello at qos " + q);
        assertThat(output(sub)).containsExactly("cli/" + version + "|" + q + "|0|hello at qos " + q);
    }

    @Test
    @DisplayName("-r keeps a retained message for a late -v subscriber; -n -r deletes it")
    void retainedAndNullMessage() throws Exception {
        startBroker();
        publish("-t", "cli/retained", "-m", "kept", "-r", "-q", "1");
        ExternalCommand late = run("mosquitto_sub", List.of("-t", "cli/retained", "-C", "1", "-v", "-F", "%r %t %p"));
        assertThat(output(late)).containsExactly("1 cli/retained kept");

        publish("-t", "cli/retained", "-n", "-r");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().retainedCount() == 0);
        publish("-t", "cli/marker", "-m", "still here", "-r");
        // Retained messages come in subscription order: the marker is first only if the other is gone.
        ExternalCommand after = run("mosquitto_sub", List.of("-t", "cli/retained", "-t", "cli/marker", "-C", "1", "-v"));
        assertThat(output(after)).containsExactly("cli/marker still here");
    }

    @Test
    @DisplayName("-l sends one message per line of standard input")
    void lineMode(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        startBroker();
        ExternalCommand sub = subscriber(1, "-t", "cli/lines", "-C", "3", "-v", "-q", "1");
        Path input = dir.resolve("lines.txt");
        Files.writeString(input, "first line\nsecond line\nthird line\n", StandardCharsets.UTF_8);
        ExternalCommand pub = ExternalCommand.start("sh", "-c", "exec mosquitto_pub -h 127.0.0.1 -p " + broker.port()
                + " -t cli/lines -q 1 -l < '" + input + "'");
        processes.add(pub);
        assertThat(pub.waitFor(EXIT)).as("mosquitto_pub -l: %s", pub.stderr()).isZero();
        assertThat(output(sub)).containsExactly("cli/lines first line", "cli/lines second line", "cli/lines third line");
    }

    @Test
    @DisplayName("-W 1 ends an idle subscriber with mosquitto_sub's time-out exit code 27")
    void timeout() throws Exception {
        startBroker();
        ExternalCommand sub = run("mosquitto_sub", List.of("-t", "cli/silence", "-W", "1"));
        assertThat(sub.waitFor(EXIT)).isEqualTo(27);
        assertThat(sub.stdout()).isEmpty();
        assertThat(sub.stderr()).contains("Timed out");
    }

    @Test
    @DisplayName("-c -i ID -q 1: a persistent session receives what was published while it was away")
    void persistentSession() throws Exception {
        startBroker();
        ExternalCommand register = run("mosquitto_sub", List.of("-c", "-i", "cli-persistent", "-q", "1",
                "-t", "cli/offline", "-E"));
        assertThat(register.waitFor(EXIT)).as("mosquitto_sub -E: %s", register.stderr()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().metrics().connectedClients() == 0);
        assertThat(broker.broker().sessionCount()).as("session kept for the offline client").isEqualTo(1);

        for (int i = 1; i <= 3; i++) {
            publish("-t", "cli/offline", "-q", "1", "-m", "while away " + i);
        }
        ExternalCommand back = run("mosquitto_sub", List.of("-c", "-i", "cli-persistent", "-q", "1",
                "-t", "cli/offline", "-C", "3", "-v"));
        assertThat(output(back)).containsExactly("cli/offline while away 1", "cli/offline while away 2",
                "cli/offline while away 3");
    }

    @Test
    @DisplayName("--will-topic/--will-payload: the will is published when mosquitto_sub is killed with SIGKILL")
    void willOnSigkill() throws Exception {
        startBroker();
        ExternalCommand watcher = subscriber(1, "-t", "cli/will", "-C", "1", "-q", "1", "-v");
        ExternalCommand dying = subscriber(2, "-i", "cli-dying", "-t", "cli/anything", "--will-topic", "cli/will",
                "--will-payload", "cli-dying is gone", "--will-qos", "1");
        ProcessHandle.of(dying.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no DISCONNECT
        assertThat(output(watcher)).containsExactly("cli/will cli-dying is gone");
    }

    @Test
    @DisplayName("$SYS/broker/# with sys_interval 1 has mosquitto's topic names")
    void sysTopics() throws Exception {
        broker = TestBroker.start(b -> b.sysInterval(Duration.ofSeconds(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().retainedCount() > 0);
        // Tern sends the retained values at once; --retained-only exits at the first live (non-retained) update.
        ExternalCommand sub = run("mosquitto_sub", List.of("-t", "$SYS/broker/#", "--retained-only", "-W", "10",
                "-F", "%t\\t%p"));
        Map<String, String> values = new TreeMap<>();
        for (String line : output(sub)) {
            int tab = line.indexOf('\t');
            assertThat(tab).as("line %s", line).isPositive();
            values.put(line.substring(0, tab).substring("$SYS/broker/".length()), line.substring(tab + 1));
        }
        assertThat(values).containsKeys(MOSQUITTO_SYS_TOPICS.toArray(String[]::new));
        assertThat(values).containsKeys("messages/publish/received"); // Tern's alias of publish/messages/received
        assertThat(values.get("version")).startsWith("tern version ");
        assertThat(values.get("uptime")).matches("\\d+ seconds");
        assertThat(values.get("load/bytes/received/1min")).matches("\\d+\\.\\d\\d");
        assertThat(values.get("subscriptions/count")).matches("\\d+");
    }

    @Test
    @DisplayName("a client's PUBLISH to $SYS is acknowledged but not delivered")
    void publishToSysIsNotDelivered() throws Exception {
        startBroker();
        ExternalCommand sub = subscriber(2, "-t", "$SYS/interop/#", "-t", "cli/marker", "-C", "1", "-v");
        publish("-t", "$SYS/interop/forged", "-m", "forged", "-q", "1", "-r");
        publish("-t", "cli/marker", "-m", "after", "-q", "1");
        assertThat(output(sub)).containsExactly("cli/marker after");
        assertThat(broker.broker().retainedCount()).isZero();
    }
}
