package dev.tern.broker.sys;

import dev.tern.broker.routing.Message;
import dev.tern.broker.routing.Router;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Publishes the broker's state under {@code $SYS/broker/} every {@code sys_interval}, with
 * Mosquitto's topic names, as retained QoS 0 messages. A value is re-published only when it changed,
 * except the clock topics ({@code uptime}, {@code time}).
 */
public final class SysTopicPublisher implements AutoCloseable {
    private static final String PREFIX = "$SYS/broker/";

    private final Router router;
    private final BrokerMetrics metrics;
    private final String version;
    private final IntSupplier sessionCount;
    private final IntSupplier disconnectedCount;
    private final LongSupplier subscriptionCount;
    private final long startNanos = System.nanoTime();
    private final Map<String, String> lastPublished = new HashMap<>();
    private final Map<String, LoadAverage> loads = new LinkedHashMap<>();
    private final Map<String, LongSupplier> loadSources = new LinkedHashMap<>();
    private long lastTickNanos = startNanos;
    private ScheduledFuture<?> task;

    /**
     * @param router            where to publish
     * @param metrics           counters to report
     * @param version           the broker version string
     * @param sessionCount      number of sessions (connected or not)
     * @param disconnectedCount number of persistent sessions without a connection
     * @param subscriptionCount number of subscriptions
     */
    public SysTopicPublisher(Router router, BrokerMetrics metrics, String version, IntSupplier sessionCount,
                             IntSupplier disconnectedCount, LongSupplier subscriptionCount) {
        this.router = router;
        this.metrics = metrics;
        this.version = version;
        this.sessionCount = sessionCount;
        this.disconnectedCount = disconnectedCount;
        this.subscriptionCount = subscriptionCount;
        loadSources.put("messages/received", metrics::messagesReceived);
        loadSources.put("messages/sent", metrics::messagesSent);
        loadSources.put("publish/received", metrics::publishReceived);
        loadSources.put("publish/sent", metrics::publishSent);
        loadSources.put("publish/dropped", metrics::publishDropped);
        loadSources.put("bytes/received", metrics::bytesReceived);
        loadSources.put("bytes/sent", metrics::bytesSent);
        loadSources.put("sockets", metrics::connectionsAccepted);
        loadSources.put("connections", metrics::connects);
        loadSources.forEach((name, source) -> loads.put(name, new LoadAverage()));
    }

    /** Publishes once now and then every {@code interval} on {@code executor}. */
    public void start(EventExecutor executor, Duration interval) {
        executor.execute(this::publishAll);
        long millis = interval.toMillis();
        task = executor.scheduleAtFixedRate(this::publishAll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Publishes every $SYS topic whose value changed; the clock topics always. */
    public void publishAll() {
        long now = System.nanoTime();
        double seconds = Math.max(0.001, (now - lastTickNanos) / 1e9);
        lastTickNanos = now;
        long uptime = (now - startNanos) / 1_000_000_000L;

        publish("version", "tern version " + version, false);
        publish("uptime", uptime + " seconds", true);
        publish("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), true);

        int connected = metrics.connectedClients();
        int disconnected = disconnectedCount.getAsInt();
        publish("clients/connected", connected, false);
        publish("clients/active", connected, false);
        publish("clients/disconnected", disconnected, false);
        publish("clients/inactive", disconnected, false);
        publish("clients/total", sessionCount.getAsInt(), false);
        publish("clients/maximum", metrics.maximumConnectedClients(), false);
        publish("clients/expired", metrics.expiredSessions(), false);

        publish("messages/received", metrics.messagesReceived(), false);
        publish("messages/sent", metrics.messagesSent(), false);
        publish("messages/publish/received", metrics.publishReceived(), false);
        publish("messages/publish/sent", metrics.publishSent(), false);
        publish("messages/publish/dropped", metrics.publishDropped(), false);
        publish("publish/messages/received", metrics.publishReceived(), false);
        publish("publish/messages/sent", metrics.publishSent(), false);
        publish("publish/messages/dropped", metrics.publishDropped(), false);

        int retained = router.retained().size();
        publish("retained messages/count", retained, false);
        publish("messages/retained/count", retained, false);
        long stored = retained + metrics.storedMessages();
        publish("messages/stored", stored, false);
        publish("store/messages/count", stored, false);
        publish("store/messages/bytes", router.retained().bytes() + metrics.storedBytes(), false);
        publish("publish/bytes/received", metrics.publishBytesReceived(), false);
        publish("publish/bytes/sent", metrics.publishBytesSent(), false);
        publish("shared_subscriptions/count", router.shared().memberCount(), false);
        publish("subscriptions/count", subscriptionCount.getAsLong(), false);

        publish("bytes/received", metrics.bytesReceived(), false);
        publish("bytes/sent", metrics.bytesSent(), false);
        publish("load/bytes/received", metrics.bytesReceived(), false);
        publish("load/bytes/sent", metrics.bytesSent(), false);

        // Tern's own counters for the limits Mosquitto does not report.
        publish("tern/connections/refused", metrics.connectionsRefused(), false);
        publish("tern/packets/malformed", metrics.malformedPackets(), false);
        publish("tern/packets/oversized", metrics.oversizedPackets(), false);
        publish("tern/messages/expired", metrics.expiredMessages(), false);

        Runtime rt = Runtime.getRuntime();
        publish("heap/current", rt.totalMemory() - rt.freeMemory(), false);
        publish("heap/maximum", rt.maxMemory(), false);

        for (Map.Entry<String, LoadAverage> e : loads.entrySet()) {
            LoadAverage load = e.getValue();
            load.update(loadSources.get(e.getKey()).getAsLong(), seconds);
            String base = "load/" + e.getKey() + "/";
            publish(base + "1min", format(load.oneMinute()), false);
            publish(base + "5min", format(load.fiveMinutes()), false);
            publish(base + "15min", format(load.fifteenMinutes()), false);
        }
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private void publish(String suffix, long value, boolean always) {
        publish(suffix, Long.toString(value), always);
    }

    private void publish(String suffix, String value, boolean always) {
        String topic = PREFIX + suffix;
        if (!always && value.equals(lastPublished.get(topic))) {
            return;
        }
        lastPublished.put(topic, value);
        Message m = new Message(topic, Unpooled.wrappedBuffer(value.getBytes(StandardCharsets.UTF_8)),
                QoS.AT_MOST_ONCE, true, MqttProperties.EMPTY, null);
        try {
            router.publish(m);
        } finally {
            m.release();
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
