package dev.tern.cli.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The result of one run, printed as text or JSON. */
final class BenchReport {
    String scenario = "";
    String broker = "";
    String version = "";
    int qos;
    int size;
    double rate;
    int window;
    long maxOutstanding;
    long measuredFromEpochMillis;
    long measuredToEpochMillis;
    int publishers;
    int subscribers;
    int connections;
    int connected;
    double connectSeconds;
    Histogram connectLatency = BenchStats.empty();
    double measuredSeconds;
    long sent;
    long received;
    long sentTotal;
    long receivedTotal;
    long expectedTotal;
    long copies;
    /** fleet: the persistent sessions created before the run, and the seconds that took. */
    int fleetSessions;
    double fleetSeconds;
    long outOfOrder;
    long errors;
    String lastError = "";
    Histogram latency = BenchStats.empty();
    double cpuSeconds;
    int threads;

    double sentPerSecond() {
        return measuredSeconds > 0 ? sent / measuredSeconds : 0;
    }

    double receivedPerSecond() {
        return measuredSeconds > 0 ? received / measuredSeconds : 0;
    }

    /** Messages lost: expected minus received (QoS 0 may lose by design), never negative. */
    long missing() {
        return Math.max(0, expectedTotal - receivedTotal);
    }

    /** The generator's own CPU time per message handled (sent plus received), in microseconds. */
    double cpuMicrosPerMessage() {
        long messages = sent + received;
        return messages > 0 ? cpuSeconds * 1e6 / messages : 0;
    }

    static String ms(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static long pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "scenario      %s against %s (MQTT %s, QoS %d, %d-byte payloads%s)%n",
                scenario, broker, version, qos, size, (rate > 0 ? String.format(Locale.ROOT, ", %.0f msg/s per publisher", rate) : "")
                        + (window > 0 ? ", end-to-end window " + window : "")));
        b.append(String.format(Locale.ROOT, "connections   %d of %d ready in %.2f s (connect p50 %s, p99 %s, max %s)%n",
                connected, connections, connectSeconds, ms(pct(connectLatency, 50)), ms(pct(connectLatency, 99)),
                ms(connectLatency.getMaxValue())));
        if (fleetSessions > 0) {
            b.append(String.format(Locale.ROOT, "fleet         %,d offline sessions, %,d subscriptions, created in %.1f s%n",
                    fleetSessions, (long) fleetSessions * FleetWorkload.SUBSCRIPTIONS_PER_CLIENT, fleetSeconds));
        }
        if (publishers > 0 || received > 0) {
            b.append(String.format(Locale.ROOT, "publishers    %d, subscribers %d, measured %.1f s%n", publishers, subscribers,
                    measuredSeconds));
            b.append(String.format(Locale.ROOT, "sent          %,d (%,.0f msg/s)%n", sent, sentPerSecond()));
            b.append(String.format(Locale.ROOT, "received      %,d (%,.0f msg/s)%n", received, receivedPerSecond()));
            if (latency.getTotalCount() > 0) {
                b.append(String.format(Locale.ROOT, "latency       p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
                        ms(pct(latency, 50)), ms(pct(latency, 90)), ms(pct(latency, 99)), ms(pct(latency, 99.9)),
                        ms(latency.getMaxValue())));
            }
            if (copies > 0) {
                b.append(String.format(Locale.ROOT, "delivery      %,d of %,d expected copies arrived (%,d missing), %,d out of order%n",
                        receivedTotal, expectedTotal, missing(), outOfOrder));
            }
        }
        b.append(String.format(Locale.ROOT, "generator     %.2f s CPU on %d threads (%.2f us per message)%n", cpuSeconds, threads,
                cpuMicrosPerMessage()));
        b.append(String.format(Locale.ROOT, "errors        %d%s%n", errors, errors > 0 ? " (last: " + lastError + ")" : ""));
        return b.toString();
    }

    String json() {
        return "{" + String.join(",",
                kv("scenario", q(scenario)), kv("broker", q(broker)), kv("mqtt", q(version)), kv("qos", qos),
                kv("payload_bytes", size), kv("rate_per_publisher", num(rate)), kv("window", window), kv("window_max_outstanding", maxOutstanding), kv("publishers", publishers),
                kv("subscribers", subscribers), kv("connections", connections), kv("connected", connected),
                kv("connect_seconds", num(connectSeconds)),
                kv("fleet_sessions", fleetSessions), kv("fleet_seconds", num(fleetSeconds)),
                kv("connect_ms", "{" + String.join(",", kv("p50", num(pct(connectLatency, 50) / 1e6)),
                        kv("p99", num(pct(connectLatency, 99) / 1e6)), kv("max", num(connectLatency.getMaxValue() / 1e6))) + "}"),
                kv("measured_seconds", num(measuredSeconds)),
                kv("measured_from_epoch_ms", measuredFromEpochMillis), kv("measured_to_epoch_ms", measuredToEpochMillis), kv("sent", sent), kv("received", received),
                kv("sent_per_second", num(sentPerSecond())), kv("received_per_second", num(receivedPerSecond())),
                kv("latency_ms", "{" + String.join(",", kv("p50", num(pct(latency, 50) / 1e6)),
                        kv("p90", num(pct(latency, 90) / 1e6)), kv("p99", num(pct(latency, 99) / 1e6)),
                        kv("p999", num(pct(latency, 99.9) / 1e6)), kv("max", num(latency.getMaxValue() / 1e6)),
                        kv("count", latency.getTotalCount())) + "}"),
                kv("sent_total", sentTotal), kv("received_total", receivedTotal), kv("expected_total", expectedTotal),
                kv("missing", missing()), kv("out_of_order", outOfOrder), kv("errors", errors),
                kv("last_error", q(lastError)), kv("generator_cpu_seconds", num(cpuSeconds)),
                kv("generator_threads", threads), kv("generator_cpu_us_per_message", num(cpuMicrosPerMessage()))) + "}";
    }

    private static String kv(String k, Object v) {
        return "\"" + k + "\":" + v;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }
}
