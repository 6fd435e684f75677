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
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).hasSize(3).allMatch(l -> l.startsWith("Error: "));
    }
}
