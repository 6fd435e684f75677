package dev.tern.cli.crash;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The crash test of issue 5: a broker in its own process, QoS 1 and QoS 2 publishers and
 * persistent-session subscribers (Eclipse Paho, some connected throughout, one offline until the
 * end), and SIGKILL of the broker at random moments, many times, each followed by a restart on the
 * same store. At the end every subscriber must have every message whose PUBACK/PUBCOMP the publisher
 * got: at least once for QoS 1, exactly once for QoS 2 (a QoS 2 subscription to a QoS 2 publisher),
 * in each publisher's order; the last acknowledged retained message must be there after every
 * restart; and the offline subscriber's subscription must have survived every crash (it never
 * subscribes again).
 *
 * <p>Run by {@code CrashIT} (a few kills, in CI) and by {@code scripts/crash-test} (many). Also runs
 * against Mosquitto ({@code --broker mosquitto}) for comparison.
 */
public final class CrashTest {
    /** Settings of one run. */
    public record Config(Broker broker, int kills, long seed, int qos1Publishers, int qos2Publishers,
                         int ratePerPublisher, Duration minUp, Duration maxUp) {}

    /** What the run saw. */
    public record Report(int kills, long published, long acknowledged, long received, long duplicates,
                         List<String> violations, String details) {
        public boolean passed() {
            return violations.isEmpty();
        }
    }

    /** A broker process the test can start, kill and start again on the same store. */
    public interface Broker {
        void start() throws Exception;

        void kill() throws Exception;

        void stop() throws Exception;

        int port();

        String name();
    }

    private static final String TOPIC = "crash/";
    private static final String RETAINED = "crash-retained/last";

    private final Config config;
    private final Random random;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final List<Publisher> publishers = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();

    private CrashTest(Config config) {
        this.config = config;
        this.random = new Random(config.seed());
    }

    public static Report run(Config config) throws Exception {
        return new CrashTest(config).run();
    }

    private Report run() throws Exception {
        Broker broker = config.broker();
        broker.start();
        String uri = "tcp://127.0.0.1:" + broker.port();
        // The offline subscriber registers its persistent session and subscription once, then stays away.
        Subscriber offline = new Subscriber(uri, "sub-offline-q2", 2);
        offline.connectAndSubscribe();
        offline.disconnect();
        subscribers.add(new Subscriber(uri, "sub-online-q1", 1));
        subscribers.add(new Subscriber(uri, "sub-online-q2", 2));
        for (Subscriber s : subscribers) {
            s.connectAndSubscribe();
        }
        for (int i = 0; i < config.qos1Publishers(); i++) {
            publishers.add(new Publisher(uri, "pub-q1-" + i, 1));
        }
        for (int i = 0; i < config.qos2Publishers(); i++) {
            publishers.add(new Publisher(uri, "pub-q2-" + i, 2));
        }
        Retainer retainer = new Retainer(uri);
        for (Publisher p : publishers) {
            p.start();
        }
        retainer.start();

        for (int k = 0; k < config.kills(); k++) {
            long up = config.minUp().toMillis()
                    + (long) (random.nextDouble() * (config.maxUp().toMillis() - config.minUp().toMillis()));
            Thread.sleep(up);
            broker.kill();
            long lastRetained = retainer.lastAcked.get();
            broker.start();
            checkRetained(uri, lastRetained, retainer, k);
        }

        // Drain: stop publishing, let every in-flight publish complete, bring the offline subscriber back.
        publishing.set(false);
        for (Publisher p : publishers) {
            p.awaitIdle(Duration.ofSeconds(120));
        }
        retainer.stop();
        offline.connectOnly();
        subscribers.add(offline);
        awaitDelivered(Duration.ofSeconds(120));
        Report report = verify();
        for (Publisher p : publishers) {
            p.close();
        }
        for (Subscriber s : subscribers) {
            s.close();
        }
        retainer.close();
        broker.stop();
        return report;
    }

    // ---- verification --------------------------------------------------------------------------

    private void checkRetained(String uri, long lastAcked, Retainer retainer, int kill) throws Exception {
        if (lastAcked < 0) {
            return;
        }
        Subscriber probe = new Subscriber(uri, "probe-" + kill, 1);
        probe.clean = true;
        probe.topic = RETAINED;
        probe.connectAndSubscribe();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (probe.retainedValue.get() < 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long value = probe.retainedValue.get();
        probe.close();
        // A later publish may have replaced it before the kill without being acknowledged yet.
        if (value < lastAcked) {
            violations.add("after kill " + (kill + 1) + " the retained message is " + value
                    + " but " + lastAcked + " had been acknowledged");
        }
        retainer.checked.incrementAndGet();
    }

    private void awaitDelivered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (Subscriber s : subscribers) {
                for (Publisher p : publishers) {
                    if (!s.receivedAllOf(p)) {
                        all = false;
                    }
                }
            }
            if (all) {
                Thread.sleep(500); // let late duplicates arrive, so that they are counted
                return;
            }
            Thread.sleep(100);
        }
    }

    private Report verify() {
        long published = 0;
        long acked = 0;
        long received = 0;
        long duplicates = 0;
        StringBuilder details = new StringBuilder();
        for (Publisher p : publishers) {
            published += p.sent.get();
            acked += p.acked.size();
        }
        for (Subscriber s : subscribers) {
            for (Publisher p : publishers) {
                List<Long> got = s.received(p.id);
                received += got.size();
                Set<Long> seen = new HashSet<>();
                long last = -1;
                int dups = 0;
                for (long seq : got) {
                    if (!seen.add(seq)) {
                        dups++;
                        continue;
                    }
                    if (seq <= last) {
                        violations.add(s.id + " got " + seq + " of " + p.id + " after " + last + " (out of order)");
                    }
                    last = seq;
                    if (seq >= p.sent.get()) {
                        violations.add(s.id + " got " + seq + " of " + p.id + ", which was never published");
                    }
                }
                duplicates += dups;
                List<Long> missing = new ArrayList<>();
                for (long seq : p.acked) {
                    if (!seen.contains(seq)) {
                        missing.add(seq);
                    }
                }
                Collections.sort(missing);
                if (!missing.isEmpty()) {
                    violations.add(s.id + " lacks " + missing.size() + " acknowledged messages of " + p.id + ": "
                            + missing.subList(0, Math.min(10, missing.size())) + (missing.size() > 10 ? "..." : ""));
                }
                boolean exactlyOnce = p.qos == 2 && s.qos == 2;
                if (exactlyOnce && dups > 0) {
                    violations.add(s.id + " got " + dups + " QoS 2 messages of " + p.id + " more than once");
                }
                details.append(String.format(Locale.ROOT, "  %s <- %s: %d acknowledged, %d received, %d duplicates%s%n",
                        s.id, p.id, p.acked.size(), got.size(), dups, exactlyOnce ? " (exactly once)" : ""));
            }
        }
        return new Report(config.kills(), published, acked, received, duplicates, List.copyOf(violations),
                details.toString());
    }

    // ---- clients -------------------------------------------------------------------------------

    private static MqttConnectOptions options(boolean clean) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(clean);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(500);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        o.setMaxInflight(64);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return o;
    }

    private static void connect(MqttAsyncClient c, MqttConnectOptions o) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                c.connect(o).waitForCompletion(10_000);
                return;
            } catch (MqttException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Publishes "id:seq" with increasing seq; remembers what was acknowledged. */
    private final class Publisher {
        final String id;
        final int qos;
        final MqttAsyncClient client;
        final AtomicLong sent = new AtomicLong();
        final Set<Long> acked = ConcurrentHashMap.newKeySet();
        final AtomicLong pending = new AtomicLong();
        final Thread thread;

        Publisher(String uri, String id, int qos) throws MqttException {
            this.id = id;
            this.qos = qos;
            this.client = new MqttAsyncClient(uri, id, new MemoryPersistence());
            this.thread = new Thread(this::loop, id);
            thread.setDaemon(true);
        }

        void start() throws Exception {
            connect(client, options(false));
            thread.start();
        }

        private void loop() {
            long intervalNanos = 1_000_000_000L / config.ratePerPublisher();
            long next = System.nanoTime();
            while (publishing.get()) {
                long seq = sent.get();
                MqttMessage m = new MqttMessage((id + ":" + seq).getBytes(StandardCharsets.UTF_8));
                m.setQos(qos);
                try {
                    client.publish(TOPIC + id, m, null, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            acked.add(seq);
                            pending.decrementAndGet();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            pending.decrementAndGet();
                        }
                    });
                    pending.incrementAndGet();
                    sent.incrementAndGet();
                } catch (MqttException e) {
                    sleep(20); // not connected (the broker is down) or too many in flight: try again
                    continue;
                }
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    sleep(wait / 1_000_000);
                } else {
                    next = System.nanoTime();
                }
            }
        }

        void awaitIdle(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (client.getPendingDeliveryTokens().length > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        void close() throws MqttException {
            client.disconnectForcibly(1000, 1000);
            client.close();
        }
    }

    /** Publishes a retained message with an increasing number, one at a time. */
    private final class Retainer {
        final MqttAsyncClient client;
        final AtomicLong lastAcked = new AtomicLong(-1);
        final AtomicLong checked = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Retainer(String uri) throws MqttException {
            client = new MqttAsyncClient(uri, "retainer", new MemoryPersistence());
            thread = new Thread(this::loop, "retainer");
            thread.setDaemon(true);
        }

        void start() throws Exception {
            connect(client, options(true));
            thread.start();
        }

        private void loop() {
            long n = 0;
            while (running.get()) {
                MqttMessage m = new MqttMessage(String.valueOf(n).getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                m.setRetained(true);
                try {
                    client.publish(RETAINED, m).waitForCompletion(2_000);
                    lastAcked.set(n);
                    n++;
                } catch (MqttException e) {
                    sleep(50);
                }
                sleep(50);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }

        void close() throws MqttException {
            client.disconnectForcibly(1000, 1000);
            client.close();
        }
    }

    /** A persistent-session subscriber to everything the publishers send; records every arrival. */
    private final class Subscriber implements MqttCallback {
        final String id;
        final int qos;
        final MqttAsyncClient client;
        boolean clean;
        String topic = TOPIC + "#";
        final Map<String, List<Long>> received = new ConcurrentHashMap<>();
        final AtomicLong retainedValue = new AtomicLong(-1);

        Subscriber(String uri, String id, int qos) throws MqttException {
            this.id = id;
            this.qos = qos;
            this.client = new MqttAsyncClient(uri, id, new MemoryPersistence());
            client.setCallback(this);
        }

        void connectAndSubscribe() throws Exception {
            connect(client, options(clean));
            client.subscribe(topic, qos).waitForCompletion(10_000);
        }

        /** Reconnects without subscribing: the broker must have kept the subscription. */
        void connectOnly() throws Exception {
            connect(client, options(false));
        }

        void disconnect() throws MqttException {
            client.disconnect().waitForCompletion(5_000);
        }

        @Override
        public void messageArrived(String t, MqttMessage message) {
            String text = new String(message.getPayload(), StandardCharsets.UTF_8);
            if (t.equals(RETAINED)) {
                retainedValue.set(Long.parseLong(text));
                return;
            }
            int colon = text.lastIndexOf(':');
            received.computeIfAbsent(text.substring(0, colon), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Long.parseLong(text.substring(colon + 1)));
        }

        List<Long> received(String publisher) {
            List<Long> l = received.get(publisher);
            if (l == null) {
                return List.of();
            }
            synchronized (l) {
                return new ArrayList<>(l);
            }
        }

        boolean receivedAllOf(Publisher p) {
            return new HashSet<>(received(p.id)).containsAll(p.acked);
        }

        @Override
        public void connectionLost(Throwable cause) {
            // automatic reconnect
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        void close() throws MqttException {
            client.disconnectForcibly(1000, 1000);
            client.close();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- brokers -------------------------------------------------------------------------------

    /** Waits until something accepts TCP connections on 127.0.0.1:port. */
    static void awaitPort(Process p, int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the broker exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the broker did not listen on " + port + " within " + timeout);
    }

    /** Tern, as {@code java -cp CLASSPATH dev.tern.cli.Main broker -c FILE}. */
    public static final class TernBroker implements Broker {
        private final Path dir;
        private final int port;
        private final String sync;
        private final String classpath;
        private Process process;
        private int starts;

        public TernBroker(Path dir, int port, String sync, String classpath) {
            this.dir = dir;
            this.port = port;
            this.sync = sync;
            this.classpath = classpath;
        }

        @Override
        public void start() throws Exception {
            Files.createDirectories(dir);
            Path conf = dir.resolve("tern.conf");
            Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    + "persistence_location " + dir.resolve("store") + "\npersistence_sync " + sync + "\n"
                    + "max_queued_messages 1000000\nsys_interval 0\n");
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                    "-cp", classpath, "dev.tern.cli.Main", "broker", "-c", conf.toString(),
                    "--warmup", "0") // restarted after every kill: the start-up warm-up would only add seconds
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker-" + starts++ + ".log").toFile()))
                    .start();
            awaitPort(process, port, Duration.ofSeconds(60));
        }

        @Override
        public void kill() throws Exception {
            process.destroyForcibly(); // SIGKILL
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void stop() throws Exception {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public String name() {
            return "Tern (persistence_sync " + sync + ")";
        }
    }

    /** Debian's Mosquitto with {@code persistence true}, for comparison. */
    public static final class MosquittoBroker implements Broker {
        private final Path dir;
        private final int port;
        private Process process;

        public MosquittoBroker(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        @Override
        public void start() throws Exception {
            Files.createDirectories(dir);
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    + "persistence_location " + dir + "/\nuser root\nmax_queued_messages 1000000\n");
            process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
            awaitPort(process, port, Duration.ofSeconds(30));
        }

        @Override
        public void kill() throws Exception {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void stop() throws Exception {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public String name() {
            return "Mosquitto 2.0.11 (persistence true, autosave_interval 1800)";
        }
    }

    /**
     * {@code CrashTest [--broker tern|mosquitto] [--kills N] [--seed S] [--sync always|interval:MS]
     * [--dir DIR] [--port P]}; prints the report and exits 1 if a promise was broken.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int kills = Integer.parseInt(a.getOrDefault("kills", "50"));
        long seed = Long.parseLong(a.getOrDefault("seed", String.valueOf(System.nanoTime())));
        Path dir = Path.of(a.getOrDefault("dir", Files.createTempDirectory("tern-crash").toString()));
        int port = Integer.parseInt(a.getOrDefault("port", "18830"));
        String sync = a.getOrDefault("sync", "always").replace(':', ' ');
        Broker broker = a.getOrDefault("broker", "tern").equals("mosquitto") ? new MosquittoBroker(dir, port)
                : new TernBroker(dir, port, sync, System.getProperty("java.class.path"));
        Config config = new Config(broker, kills, seed, 2, 2, 200, Duration.ofMillis(500), Duration.ofMillis(3000));
        long start = System.nanoTime();
        Report r;
        try {
            r = run(config);
        } catch (Exception e) {
            System.out.println("FAILED to run: " + e);
            e.printStackTrace(System.out);
            System.exit(2); // Paho's threads would keep the JVM alive
            return;
        }
        System.out.printf(Locale.ROOT, "%s: %d kills (seed %d) in %.0f s; %d published, %d acknowledged, %d received"
                        + " (%d duplicates)%n%s", broker.name(), r.kills(), seed, (System.nanoTime() - start) / 1e9,
                r.published(), r.acknowledged(), r.received(), r.duplicates(), r.details());
        if (r.passed()) {
            System.out.println("PASSED: every acknowledged message arrived, QoS 2 exactly once, in order; retained"
                    + " and subscriptions survived");
        } else {
            System.out.println("FAILED:");
            r.violations().forEach(v -> System.out.println("  " + v));
        }
        System.exit(r.passed() ? 0 : 1);
    }
}
