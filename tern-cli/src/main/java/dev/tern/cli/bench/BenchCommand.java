package dev.tern.cli.bench;

import dev.tern.codec.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tern bench SCENARIO [options]}: the load generator. */
@Command(name = "bench", usageHelpAutoWidth = true,
        description = {"MQTT load generator. Scenarios:",
            "  conn      -c idle connections (connect rate, connect latency, broker memory per connection)",
            "  pub       -c publishers to -t (default bench/%%i)",
            "  sub       -s subscribers to -f (default bench/#); the publishers run elsewhere",
            "  fan-in    -c publishers to bench/%%i -> -s (default 1) subscribers to bench/#",
            "  fan-out   -c (default 1) publishers to bench/fan-out -> -s (default 100) subscribers",
            "  pairs     -c pairs: publisher i -> bench/pair/i -> subscriber i",
            "  shared    -c publishers to bench/%%i -> -s (default 2) members of $share/bench/bench/#",
            "  fleet     --fleet (default 10) offline sessions, ten filters each; -c publishers spread over their",
            "            topics -> -s (default 1) subscribers to # (the cost of routing: --fleet 10 against 100000)",
            "A progress line goes to stderr every second; the summary goes to stdout (--format json for JSON).",
            "Exit codes: 0 done, 1 bad options or no connection could be made (or a fleet session refused), 2 errors during the run."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO", description = "conn, pub, sub, fan-in, fan-out, pairs, shared or fleet.")
    String scenario = "";

    @Mixin
    BenchOptions options = new BenchOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        Scenario s;
        MqttVersion version;
        try {
            s = Scenario.of(scenario);
            version = switch (options.protocolVersion.toLowerCase(Locale.ROOT)) {
                case "mqttv5", "5" -> MqttVersion.MQTT_5;
                case "mqttv311", "311" -> MqttVersion.MQTT_3_1_1;
                case "mqttv31", "31" -> MqttVersion.MQTT_3_1;
                default -> throw new IllegalArgumentException("invalid protocol version " + options.protocolVersion);
            };
            check(options.qos >= 0 && options.qos <= 2, "QoS must be 0, 1 or 2");
            check(options.size >= BenchConnection.HEADER, "the payload must be at least 16 bytes (time stamp and sequence)");
            check(options.threads >= 1 && options.threads <= 64, "--threads must be 1..64");
            check(options.inflight >= 1 && options.inflight <= 65_535, "--inflight must be 1..65535");
            check(options.duration > 0 || options.count > 0, "give a positive --duration or --count");
            check(options.rate >= 0 && options.connectRate > 0, "rates must be positive");
            check(options.port > 0 && options.port <= 65_535, "invalid port " + options.port);
            check(options.fleet == -1 || options.fleet >= 1 && options.fleet <= 1_000_000,
                    "--fleet must be 1..1000000 (the client ids have six digits)");
            check(options.format.equals("text") || options.format.equals("json"), "--format is text or json");
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage() + " (see 'tern bench --help')");
            return 1;
        }
        BenchReport r;
        try {
            r = new BenchRun(s, options, version, System.err).run();
        } catch (IllegalStateException e) {
            System.err.println("Error: " + e.getMessage());
            return 1;
        }
        String json = r.json();
        if (options.jsonFile != null) {
            try {
                Files.writeString(options.jsonFile, json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("Error: cannot write " + options.jsonFile + ": " + e.getMessage());
            }
        }
        System.out.println(options.format.equals("json") ? json : r.text());
        System.out.flush();
        if (r.connected == 0) {
            return 1;
        }
        return r.errors > 0 ? 2 : 0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
