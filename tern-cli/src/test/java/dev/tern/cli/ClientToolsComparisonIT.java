package dev.tern.cli;

import static dev.tern.cli.Tools.assertSame;
import static dev.tern.cli.Tools.awaitSubscribed;
import static dev.tern.cli.Tools.both;
import static dev.tern.cli.Tools.finish;
import static dev.tern.cli.Tools.prepend;
import static dev.tern.cli.Tools.startMosquitto;
import static dev.tern.cli.Tools.startTern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ConfigParser;
import dev.tern.broker.security.ScramSha256Hash;
import dev.tern.cli.Tools.Result;
import dev.tern.testkit.ExternalCommand;
import dev.tern.testkit.FreePort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tern sub}/{@code tern pub}/{@code tern rr} side by side with Debian's mosquitto_sub,
 * mosquitto_pub and mosquitto_rr: the same arguments against the same broker must give the same
 * standard output and the same exit code; bad input gives one line on stderr, never a stack trace.
 */
class ClientToolsComparisonIT {
    static TernBroker broker;
    static String port;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        if (!ExternalCommand.isAvailable("mosquitto_sub")) {
            throw new AssertionError("mosquitto-clients is needed: apt-get install mosquitto-clients (.ci/run does)");
        }
        broker = TernBroker.builder().port(0).build().start();
        port = Integer.toString(broker.port());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    static void publishRetained(String topic, String payload) throws Exception {
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-t", topic, "-m", payload, "-r",
                "-q", "1")) {
            assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
        }
    }

    @Test
    @DisplayName("sub -v -C: retained messages, empty payload printed as (null)")
    void verboseCount() throws Exception {
        publishRetained("cmp/v/a", "alpha");
        publishRetained("cmp/v/b", "with space");
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-t", "cmp/v/c", "-m", "x", "-r")) {
            p.waitFor(Duration.ofSeconds(10));
        }
        Result[] r = both("sub", "-p", port, "-t", "cmp/v/#", "-v", "-C", "3", "-W", "10");
        assertSame(r);
        assertThat(r[0].out()).contains("cmp/v/a alpha\n", "cmp/v/b with space\n", "cmp/v/c x\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%t|%p|%q|%r|%l|%m", "%x %X", "[%-12t] [%12t] [%.3t] [%05l] [%-5l]", "%t\\t%p\\n", "%%|%A|%E|%F|%C|%R|%P|%S"})
    @DisplayName("sub -F formats: %t %p %q %r %l %m %x %X, widths, precision, escapes")
    void formats(String format) throws Exception {
        publishRetained("cmp/f/one", "hello");
        publishRetained("cmp/f/two", "wörld\u0001");
        Result[] r = both("sub", "-p", port, "-t", "cmp/f/#", "-F", format, "-C", "2", "-q", "1", "-W", "10");
        assertSame(r);
        assertThat(r[0].out()).isNotEmpty();
    }

    @Test
    @DisplayName("sub -F %j: the JSON fields equal mosquitto's apart from the time stamp")
    void jsonFormat() throws Exception {
        publishRetained("cmp/j/text", "plain");
        publishRetained("cmp/j/bin", "a\u0002b");
        Result[] r = both("sub", "-p", port, "-t", "cmp/j/#", "-F", "%j", "-C", "2", "-W", "10");
        assertThat(r[1].exit()).isEqualTo(r[0].exit()).isZero();
        String tst = "\"tst\":\"[^\"]+\"";
        assertThat(r[1].out().replaceAll(tst, "T")).isEqualTo(r[0].out().replaceAll(tst, "T"));
    }

    @Test
    @DisplayName("sub -V mqttv5 -F %j and %S without -D identifiers: the same properties (none added by Tern's "
            + "client for its own routing)")
    void mqtt5JsonAndIdentifiers() throws Exception {
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-V", "mqttv5", "-t", "cmp/j5/a",
                "-m", "plain", "-r", "-q", "1", "-D", "publish", "user-property", "k", "v", "-D", "publish",
                "content-type", "text/x")) {
            assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
        }
        String tst = "\"tst\":\"[^\"]+\"";
        Result[] json = both("sub", "-p", port, "-V", "mqttv5", "-t", "cmp/j5/#", "-F", "%j", "-C", "1", "-W", "10");
        assertThat(json[1].exit()).as(json[1].err()).isEqualTo(json[0].exit()).isZero();
        assertThat(json[1].out().replaceAll(tst, "T")).isEqualTo(json[0].out().replaceAll(tst, "T"))
                .contains("\"properties\":{\"content-type\":\"text/x\",\"user-properties\":{\"k\":\"v\"}}");
        Result[] ids = both("sub", "-p", port, "-V", "mqttv5", "-t", "cmp/j5/#", "-F", "%S|%t|%P", "-C", "1", "-W", "10");
        assertSame(ids);
        assertThat(ids[0].out()).isEqualTo("|cmp/j5/a|k:v\n");
    }

    @Test
    @DisplayName("sub -N, -R and -T: no newline, stale (retained) messages skipped, topics filtered out")
    void noEolStaleAndFilterOut() throws Exception {
        publishRetained("cmp/n/1", "one");
        publishRetained("cmp/n/2", "two");
        assertSame(both("sub", "-p", port, "-t", "cmp/n/#", "-N", "-C", "2", "-W", "10"));
        assertSame(both("sub", "-p", port, "-t", "cmp/n/#", "-T", "cmp/n/1", "-v", "-C", "1", "-W", "10"));

        // -R: only a live message counts. Publish live messages until both subscribers are done.
        List<String> args = List.of("-p", port, "-t", "cmp/n/#", "-R", "-v", "-C", "1", "-W", "15");
        ExternalCommand m = startMosquitto("sub", args);
        List<String> ternArgs = new ArrayList<>(List.of("sub"));
        ternArgs.addAll(args);
        ExternalCommand t = startTern(ternArgs);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while ((m.isAlive() || t.isAlive()) && System.nanoTime() < deadline) {
            try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-t", "cmp/n/live", "-m", "now")) {
                p.waitFor(Duration.ofSeconds(10));
            }
            Thread.sleep(200);
        }
        Result[] r = {finish(m), finish(t)};
        assertSame(r);
        assertThat(r[0].out()).isEqualTo("cmp/n/live now\n");
    }

    @Test
    @DisplayName("sub -W timeout: exit code 27; -E exits after SUBACK with 0")
    void timeoutAndExitAfterSubscribe() throws Exception {
        assertSame(both("sub", "-p", port, "-t", "cmp/silent", "-W", "1"));
        Result[] r = both("sub", "-p", port, "-t", "cmp/silent", "-W", "1");
        assertThat(r[0].exit()).isEqualTo(27);
        Result[] e = both("sub", "-p", port, "-t", "cmp/silent", "-E");
        assertSame(e);
        assertThat(e[0].exit()).isZero();
    }

    @Test
    @DisplayName("pub -m, -n, -f, -l, -s, -r and --repeat deliver the same messages as mosquitto_pub")
    void publishModes() throws Exception {
        Path file = dir.resolve("payload.bin");
        Files.write(file, "file contents\nline two".getBytes(StandardCharsets.UTF_8));
        String[][] cases = {
            {"-m", "message"}, {"-n"}, {"-f", file.toString()}, {"-m", "rep", "--repeat", "3"}, {"-m", "kept", "-r", "-q", "2"},
        };
        for (String[] c : cases) {
            List<String> outputs = new ArrayList<>();
            for (String tool : new String[] {"mosquitto", "tern"}) {
                String topic = "cmp/p/" + tool;
                try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-p", port, "-i", "w-" + topic, "-t", topic,
                        "-v", "-F", "%t %q %r %l %p", "-C",
                        c[0].equals("-m") && c.length > 2 && c[2].equals("--repeat") ? "3" : "1", "-W", "15", "-q", "2")) {
                    awaitSubscribed(broker, "w-" + topic);
                    List<String> args = new ArrayList<>(List.of("-p", port, "-t", topic));
                    args.addAll(List.of(c));
                    Result r = tool.equals("tern") ? finish(startTern(prepend("pub", args))) : finish(startMosquitto("pub", args));
                    assertThat(r.exit()).as("%s pub %s: %s", tool, args, r.err()).isZero();
                    assertThat(sub.waitFor(Duration.ofSeconds(15))).isZero();
                    outputs.add(sub.stdout().replace(topic, "TOPIC"));
                }
            }
            assertThat(outputs.get(1)).as("pub %s", List.of(c)).isEqualTo(outputs.get(0));
        }
        // Clear the retained message left by the last case.
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-t", "cmp/p/tern", "-n", "-r")) {
            p.waitFor(Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("bad input: unreachable broker, invalid topics, QoS, keep-alive, options and -D properties: same exit codes, "
            + "one line, no stack trace")
    void badInput() throws Exception {
        String dead = Integer.toString(FreePort.find());
        String[][] subCases = {
            {"-p", dead, "-t", "a"}, {"-p", port, "-t", "a/#/b"}, {"-p", port, "-t", "a", "-q", "3"},
            {"-p", port, "-t", "a", "-k", "3"}, {"-p", port, "--no-such-option", "-t", "a"}, {"-p", port},
            {"-p", port, "-t", "a", "-V", "mqttv6"}, {"-h", "host.invalid", "-t", "a"},
            {"-p", port, "-t", "a", "-V", "mqttv5", "-D", "subscribe", "no-such-property", "x"},
            {"-p", port, "-t", "a", "-C", "0"}, {"-p", port, "-t", "a", "-W", "0"},
            {"-p", port, "-t", "a", "-F", "%Z"}, {"-p", port, "-t", "a", "-F", "%-5"}, {"-p", port, "-t", "a", "-F", "x@"},
            {"-p", port, "-t", "a", "-F", "\\q"}, {"-p", port, "-t", "a", "-F", "x\\"},
        };
        for (String[] c : subCases) {
            Result[] r = both("sub", c);
            assertThat(r[1].exit()).as("sub %s (tern: %s)", List.of(c), r[1].err()).isEqualTo(r[0].exit()).isNotZero();
            assertThat(r[1].err().strip().lines().count()).as("one line for sub %s: %s", List.of(c), r[1].err()).isEqualTo(1);
            assertThat(r[1].err()).doesNotContain("Exception").doesNotContain("\tat ");
            if (c.length == 5 && List.of("-C", "-W", "-F").contains(c[3])) {
                // Counts, time-outs and formats are checked before connecting, worded as mosquitto_sub words them.
                assertThat(r[1].err().strip()).isEqualTo(r[0].err().lines().findFirst().orElseThrow());
            }
        }
        String[][] pubCases = {
            {"-p", dead, "-t", "a", "-m", "x"}, {"-p", port, "-t", "a/+", "-m", "x"}, {"-p", port, "-t", "a"},
            {"-p", port, "-t", "a", "-m", "x", "-n"}, {"-p", port, "-t", "a", "-m", "x", "-q", "5"},
            {"-p", port, "-t", "a", "-m", "x", "-V", "mqttv5", "-D", "publish", "no-such-property", "x"},
            {"-p", port, "-t", "a", "-m", "x", "-V", "mqttv5", "-D", "publish", "subscription-identifier", "3"},
            {"-p", port, "-t", "a", "-m", "x", "-V", "mqttv5", "-D", "connect", "receive-maximum", "0"},
            {"-p", port, "-t", "a", "-m", "x", "-V", "mqttv5", "-D", "publish", "topic-alias", "0"},
        };
        for (String[] c : pubCases) {
            Result[] r = both("pub", c);
            assertThat(r[1].exit()).as("pub %s (tern: %s)", List.of(c), r[1].err()).isEqualTo(r[0].exit()).isNotZero();
            assertThat(r[1].err().strip().lines().count()).as("one line for pub %s: %s", List.of(c), r[1].err()).isEqualTo(1);
            assertThat(r[1].err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    @DisplayName("refused connection: the CONNACK return code is the exit code (5, not authorised: wrong password, "
            + "anonymous refused), for both")
    void refusedConnection(@TempDir Path dir) throws Exception {
        int p = FreePort.find();
        Path passwords = dir.resolve("passwd");
        Files.writeString(passwords, "user:" + ScramSha256Hash.create("right".getBytes(StandardCharsets.UTF_8), 4096,
                new SecureRandom()).encoded() + "\n");
        BrokerConfig config = ConfigParser.parse("sys_interval 0\nauth_failure_delay 0\npassword_file " + passwords
                + "\nlistener " + p + " 127.0.0.1\n", dir.resolve("tern.conf"));
        try (TernBroker closed = TernBroker.builder().config(config).build().start()) {
            String ps = Integer.toString(p);
            Result[] r = both("sub", "-p", ps, "-t", "a", "-u", "user", "-P", "wrong");
            assertThat(r[0].exit()).isEqualTo(5);
            assertThat(r[1].exit()).isEqualTo(5);
            assertThat(r[1].err().strip()).isEqualTo(r[0].err().strip())
                    .isEqualTo("Connection error: Connection Refused: not authorised.");
            Result[] p5 = both("pub", "-p", ps, "-t", "a", "-m", "x", "-u", "user", "-P", "wrong");
            assertThat(p5[1].exit()).isEqualTo(p5[0].exit()).isEqualTo(5);
            Result[] anonymous = both("sub", "-p", ps, "-t", "a");
            assertThat(anonymous[1].exit()).isEqualTo(anonymous[0].exit()).isEqualTo(5);
            Result[] right = both("pub", "-p", ps, "-t", "a", "-m", "x", "-u", "user", "-P", "right");
            assertThat(right[1].exit()).isEqualTo(right[0].exit()).isZero();
            // MQTT 5: the reason code is the exit code, worded as libmosquitto words it.
            Result[] v5 = both("sub", "-p", ps, "-V", "mqttv5", "-t", "a", "-u", "user", "-P", "wrong");
            assertThat(v5[1].exit()).isEqualTo(v5[0].exit()).isEqualTo(0x86);
            assertThat(v5[1].err().strip()).isEqualTo(v5[0].err().strip())
                    .isEqualTo("Connection error: Bad User Name or Password");
            Result[] v5anonymous = both("pub", "-p", ps, "-V", "mqttv5", "-t", "a", "-m", "x");
            assertThat(v5anonymous[1].exit()).isEqualTo(v5anonymous[0].exit()).isEqualTo(0x87);
            // mosquitto_pub adds a second line ("Error: A network protocol error occurred ...").
            assertThat(v5anonymous[1].err().strip()).isEqualTo(v5anonymous[0].err().lines().findFirst().orElseThrow())
                    .isEqualTo("Connection error: Not authorized");
        }
    }

    /** Runs one tool of one implementation ("tern" or "mosquitto") to the end. */
    private static Result run(String impl, String tool, List<String> args) throws Exception {
        return finish(impl.equals("tern") ? startTern(prepend(tool, args)) : startMosquitto(tool, args));
    }

    @Test
    @DisplayName("pub -V mqttv5 -D publish ...: user properties, content type, response topic, correlation data and "
            + "payload format reach a subscriber alike from tern pub and mosquitto_pub")
    void mqtt5PublishProperties() throws Exception {
        List<String> props = List.of("-V", "mqttv5", "-q", "1", "-m", "21.5",
                "-D", "publish", "user-property", "unit", "celsius", "-D", "publish", "user-property", "room", "kitchen",
                "-D", "publish", "content-type", "text/plain", "-D", "publish", "response-topic", "cmp/5/reply",
                "-D", "publish", "correlation-data", "abc", "-D", "publish", "payload-format-indicator", "1",
                "-D", "publish", "message-expiry-interval", "3600");
        List<String> outputs = new ArrayList<>();
        for (String impl : new String[] {"mosquitto", "tern"}) {
            String topic = "cmp/5/" + impl;
            try (ExternalCommand sub = ExternalCommand.start("mosquitto_sub", "-p", port, "-i", "w-" + topic, "-V", "mqttv5",
                    "-t", topic, "-F", "%t|%p|%P|%C|%R|%D|%F|%q", "-C", "1", "-W", "15", "-q", "1")) {
                awaitSubscribed(broker, "w-" + topic);
                List<String> args = new ArrayList<>(List.of("-p", port, "-t", topic));
                args.addAll(props);
                Result r = run(impl, "pub", args);
                assertThat(r.exit()).as("%s pub: %s", impl, r.err()).isZero();
                assertThat(sub.waitFor(Duration.ofSeconds(15))).isZero();
                outputs.add(sub.stdout().replace(topic, "TOPIC"));
            }
        }
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0))
                .isEqualTo("TOPIC|21.5|unit:celsius room:kitchen|text/plain|cmp/5/reply|abc|1|1\n");
    }

    @Test
    @DisplayName("sub -V mqttv5 -D subscribe subscription-identifier and -F %P %C %R %D %F %S: the same output")
    void mqtt5SubscribeProperties() throws Exception {
        try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-V", "mqttv5", "-t", "cmp/5s/a",
                "-m", "kept", "-r", "-q", "1", "-D", "publish", "user-property", "k", "v", "-D", "publish",
                "content-type", "application/json", "-D", "publish", "response-topic", "cmp/5s/reply", "-D", "publish",
                "correlation-data", "id-7")) {
            assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
        }
        Result[] r = both("sub", "-p", port, "-V", "mqttv5", "-t", "cmp/5s/#", "-D", "subscribe",
                "subscription-identifier", "9", "-F", "%S %t %p %P %C %R %D %F %r", "-C", "1", "-W", "10");
        assertSame(r);
        assertThat(r[0].out()).isEqualTo("9 cmp/5s/a kept k:v application/json cmp/5s/reply id-7  1\n");
    }

    @Test
    @DisplayName("-V mqttv5 -c -x: a session with an expiry interval keeps QoS 1 messages while the subscriber is away, for both")
    void mqtt5SessionExpiry() throws Exception {
        List<String> outputs = new ArrayList<>();
        for (String impl : new String[] {"mosquitto", "tern"}) {
            String id = "cmp5x-" + impl;
            String topic = "cmp/5x/" + impl;
            List<String> session = List.of("-p", port, "-V", "mqttv5", "-c", "-i", id, "-x", "60", "-q", "1", "-t", topic);
            List<String> register = new ArrayList<>(session);
            register.add("-E");
            assertThat(run(impl, "sub", register).exit()).isZero();
            try (ExternalCommand p = ExternalCommand.start("mosquitto_pub", "-p", port, "-V", "mqttv5", "-t", topic,
                    "-m", "while away", "-q", "1")) {
                assertThat(p.waitFor(Duration.ofSeconds(10))).isZero();
            }
            List<String> resume = new ArrayList<>(session);
            resume.addAll(List.of("-C", "1", "-v", "-W", "10", "-D", "disconnect", "session-expiry-interval", "0"));
            Result r = run(impl, "sub", resume);
            assertThat(r.exit()).as("%s: %s", impl, r.err()).isZero();
            outputs.add(r.out().replace(topic, "TOPIC"));
        }
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0)).isEqualTo("TOPIC while away\n");
    }

    @Test
    @DisplayName("Tern's extras: --format json, --color always, --summary per topic on exit, -d packet trace")
    void ternExtras() throws Exception {
        publishRetained("cmp/x/a", "one");
        publishRetained("cmp/x/b", "two");
        Result json = finish(startTern(List.of("sub", "-p", port, "-t", "cmp/x/#", "--format", "json", "-C", "2")));
        assertThat(json.exit()).isZero();
        assertThat(json.out().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"tst\":") && l.endsWith("}"));
        assertThat(json.out()).contains("\"topic\":\"cmp/x/a\"", "\"payload\":\"one\"");
        Result colour = finish(startTern(List.of("sub", "-p", port, "-t", "cmp/x/a", "-v", "--color", "always", "-C", "1")));
        assertThat(colour.out()).isEqualTo("\u001b[36mcmp/x/a\u001b[0m one\n");
        Result summary = finish(startTern(List.of("sub", "-p", port, "-t", "cmp/x/#", "--summary", "-C", "2", "-d")));
        assertThat(summary.out()).isEqualTo("one\ntwo\n");
        assertThat(summary.err()).contains("sending CONNECT", "received CONNACK (0)", "sending SUBSCRIBE");
        assertThat(summary.err().lines().filter(l -> l.startsWith("cmp/x/")))
                .containsExactly(String.format("%-7s %10d %12d", "cmp/x/a", 1, 3),
                        String.format("%-7s %10d %12d", "cmp/x/b", 1, 3));
    }

    @Test
    @DisplayName("rr: request with a Response Topic, the answer printed, like mosquitto_rr (MQTT 5)")
    void requestResponse() throws Exception {
        // A responder that answers every request on cmp/rr/req on the request's response topic.
        try (ExternalCommand responder = ExternalCommand.start("bash", "-c",
                "mosquitto_sub -p " + port + " -i rr-responder -V mqttv5 -t cmp/rr/req -F '%R' | while read -r t; do "
                        + "mosquitto_pub -p " + port + " -V mqttv5 -t \"$t\" -m pong; done")) {
            awaitSubscribed(broker, "rr-responder");
            Result[] r = both("rr", "-p", port, "-t", "cmp/rr/req", "-e", "cmp/rr/resp", "-m", "ping", "-v", "-W", "10");
            assertSame(r);
            assertThat(r[0].out()).isEqualTo("cmp/rr/resp pong\n");
        }
    }
}
