package dev.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tern bench} against an embedded Tern at modest rates: every scenario connects, the delivery
 * check finds nothing missing or out of order at QoS 1 and 2, and the JSON summary carries the numbers.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static String run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            assertThat(exit).as("exit code").isZero();
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.]+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @ParameterizedTest
    @CsvSource({"fan-in,1,-c,5", "fan-out,2,-s,5", "pairs,2,-c,5", "pairs,1,-c,3"})
    @DisplayName("scenarios deliver every QoS 1/2 copy exactly as expected")
    void scenarios(String scenario, int qos, String countFlag, String count) throws Exception {
        try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
            String json = run("bench", scenario, "-p", Integer.toString(broker.port()), countFlag, count, "-q",
                    Integer.toString(qos), "-r", "200", "-d", "1", "-w", "0", "--quiet", "--format", "json",
                    "-V", qos == 1 && scenario.equals("pairs") && count.equals("3") ? "mqttv5" : "mqttv311");
            assertThat(number(json, "errors")).isZero();
            assertThat(number(json, "sent_total")).isPositive();
            assertThat(number(json, "received_total")).isEqualTo(number(json, "expected_total"));
            assertThat(number(json, "missing")).isZero();
            assertThat(number(json, "out_of_order")).isZero();
            assertThat(json).contains("\"latency_ms\":{\"p50\":");
        }
    }

    @Test
    @DisplayName("--window: a saturation run keeps at most N copies per publisher on their way, so a small queue loses none")
    void endToEndWindow() throws Exception {
        // Two publishers with a window of 4 never have more than 8 messages queued for the subscriber,
        // below its limit of 10: QoS 0 as fast as the broker goes, and nothing is dropped.
        dev.tern.broker.config.BrokerConfig config = dev.tern.broker.config.BrokerConfig.builder().maxQueuedMessages(10)
                .build();
        try (TernBroker broker = TernBroker.builder().config(config).port(0).build().start()) {
            String json = run("bench", "fan-in", "-p", Integer.toString(broker.port()), "-c", "2", "-q", "0",
                    "--window", "4", "-n", "3000", "-w", "0", "--quiet", "--format", "json");
            assertThat(number(json, "errors")).isZero();
            assertThat(number(json, "sent_total")).isEqualTo(6000);
            assertThat(number(json, "received_total")).isEqualTo(6000);
            assertThat(number(json, "window")).isEqualTo(4);
            assertThat(number(json, "window_max_outstanding")).isBetween(1L, 4L);
        }
    }

    @Test
    @DisplayName("shared: two members of $share/bench/bench/# on Debian's mosquitto share the messages, none lost")
    void sharedOnMosquitto() throws Exception {
        // Tern's broker learns shared subscriptions with its MQTT 5 work; mosquitto has them for 3.1.1 too.
        try (dev.tern.testkit.MosquittoBroker mosquitto = dev.tern.testkit.MosquittoBroker.start()) {
            String json = run("bench", "shared", "-p", Integer.toString(mosquitto.port()), "-c", "4", "-s", "2", "-q", "1",
                    "-r", "200", "-d", "1", "-w", "0", "--quiet", "--format", "json");
            assertThat(number(json, "errors")).isZero();
            assertThat(number(json, "sent_total")).isPositive();
            assertThat(number(json, "received_total")).isEqualTo(number(json, "expected_total"));
        }
    }

    @Test
    @DisplayName("fleet: creates the offline sessions with ten filters each, then publishes over their topics")
    void fleet() throws Exception {
        try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
            String json = run("bench", "fleet", "--fleet", "30", "-p", Integer.toString(broker.port()), "-c", "3",
                    "-q", "1", "-r", "300", "-d", "1", "-w", "0", "--quiet", "--format", "json");
            assertThat(number(json, "errors")).isZero();
            assertThat(number(json, "fleet_sessions")).isEqualTo(30);
            assertThat(number(json, "received_total")).isPositive().isEqualTo(number(json, "expected_total"));
            assertThat(broker.sessionCount()).as("the fleet's sessions, offline").isEqualTo(30);
            assertThat(broker.subscriptionCount()).isEqualTo(300);
            var info = broker.sessionInfo(dev.tern.cli.bench.FleetWorkload.clientId(7)).get().orElseThrow();
            assertThat(info.connected()).isFalse();
            assertThat(info.subscriptions()).contains("devices/sensor-000007/cmd", "+/sensor-000007/presence")
                    .hasSize(10);
            // Published over the fleet's topics: the offline sessions' QoS 1 and 2 filters queued some.
            int queued = 0;
            for (int c = 0; c < 30; c++) {
                queued += broker.sessionInfo(dev.tern.cli.bench.FleetWorkload.clientId(c)).get().orElseThrow()
                        .queuedMessages();
            }
            assertThat(queued).isPositive();
        }
    }

    @Test
    @DisplayName("conn holds idle connections; the text summary and --json file are written")
    void connAndTextSummary() throws Exception {
        try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
            Path file = dir.resolve("r.json");
            String text = run("bench", "conn", "-p", Integer.toString(broker.port()), "-c", "50", "-d", "1", "--quiet",
                    "--json", file.toString());
            assertThat(text).contains("scenario      conn", "connections   50 of 50 ready");
            String json = Files.readString(file);
            assertThat(number(json, "connected")).isEqualTo(50);
        }
    }

    @Test
    @DisplayName("bad options: one line, exit code 1")
    void badOptions() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute("bench", "nonsense")).isEqualTo(1);
            assertThat(Main.commandLine().execute("bench", "pub", "-q", "3")).isEqualTo(1);
            assertThat(Main.commandLine().execute("bench", "pub", "--bogus")).isEqualTo(1);
            assertThat(Main.commandLine().execute("bench", "fleet", "--fleet", "0")).isEqualTo(1);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).hasSize(4).allMatch(l -> l.startsWith("Error: "));
    }
}
