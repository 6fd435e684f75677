package dev.tern.cli.bench;

import dev.tern.codec.MqttVersion;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Runs one scenario: connects every client at the configured rate, waits until all are ready
 * (subscribers subscribed), publishes for the warm-up and the measured time, drains, and reports.
 */
final class BenchRun {
    private final Scenario scenario;
    private final BenchOptions o;
    private final MqttVersion version;
    private final BenchStats stats = new BenchStats();
    private final PrintStream progress;
    // Main thread only. (A CopyOnWriteArrayList here copied the whole array for every connection:
    // quadratic, about 700 MB of copies and garbage for 19,000 connections.)
    private final List<BenchConnection> connections = new ArrayList<>();
    /** Each list is touched only on its own event loop (added in initChannel, read by the loop's timers). */
    private final Map<EventLoop, List<BenchConnection>> byLoop = new ConcurrentHashMap<>();

    BenchRun(Scenario scenario, BenchOptions options, MqttVersion version, PrintStream progress) {
        this.scenario = scenario;
        this.o = options;
        this.version = version;
        this.progress = progress;
    }

    BenchReport run() throws InterruptedException {
        List<ClientSpec> specs = scenario.clients(o);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(o.threads, new DefaultThreadFactory("tern-bench", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            return run(specs, group, epoll);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private BenchReport run(List<ClientSpec> specs, EventLoopGroup group, boolean epoll) throws InterruptedException {
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        // Resolved once, not for every connection.
        InetSocketAddress remote = new InetSocketAddress(o.host, o.port);
        SourceAddresses sources = SourceAddresses.forRun(remote, specs.size());
        if (sources.spread() && epoll) {
            // The port is chosen at connect(), where only the whole address pair must be unique.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        int fleet = scenario == Scenario.FLEET ? o.fleetOr(10) : 0;
        double fleetSeconds = fleet > 0 ? new FleetPreload(bootstrap, remote, o, version).run(fleet, progress) : 0;
        long runStart = System.nanoTime();
        Ticker ticker = new Ticker(progress, runStart);

        // 1. Connect at the connect rate, subscribers first.
        long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, o.connectRate);
        long next = System.nanoTime();
        for (ClientSpec spec : specs) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            next += interval;
            connect(bootstrap, spec, remote, sources.forConnection(connections.size()));
            ticker.maybePrint("connecting");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stats.ready.get() + stats.failed.get() < specs.size() && System.nanoTime() < deadline
                && stats.errors.sum() < specs.size()) {
            Thread.sleep(20);
            ticker.maybePrint("connecting");
        }
        double connectSeconds = (System.nanoTime() - runStart) / 1e9;
        Histogram connectLatency = stats.connect.getIntervalHistogram();
        List<BenchConnection> publishers = connections.stream().filter(c -> c.spec().role() == Role.PUBLISHER).toList();
        int ready = stats.ready.get();

        // 2. Publish (or, for conn and sub, hold the connections) for warm-up + duration.
        long cpuStart = 0;
        long sentStart = 0;
        long receivedStart = 0;
        Histogram latency = BenchStats.empty();
        schedulePerLoop();
        if (publishers.isEmpty()) {
            long end = System.nanoTime() + (long) (o.duration * 1e9);
            stats.latency.reset();
            cpuStart = cpuNanos();
            receivedStart = stats.received.sum();
            ticker.measuredFrom = System.nanoTime();
            while (System.nanoTime() < end) {
                Thread.sleep(50);
                ticker.maybePrint(scenario == Scenario.CONN ? "holding" : "receiving", latency);
            }
        } else {
            stats.publishers(publishers);
            int copies = scenario.copies(o);
            for (BenchConnection c : publishers) {
                c.copies(copies);
                c.channelEventLoop().execute(() -> c.start(o.count));
            }
            long publishStart = System.nanoTime();
            long warmupEnd = publishStart + (long) (o.warmup * 1e9);
            boolean measuring = false;
            long end = o.count > 0 ? Long.MAX_VALUE : warmupEnd + (long) (o.duration * 1e9);
            while (System.nanoTime() < end) {
                Thread.sleep(20);
                if (!measuring && System.nanoTime() >= warmupEnd) {
                    measuring = true;
                    stats.latency.getIntervalHistogram(); // discard warm-up latencies
                    cpuStart = cpuNanos();
                    sentStart = stats.sent.sum();
                    receivedStart = stats.received.sum();
                    ticker.measuredFrom = System.nanoTime();
                }
                ticker.maybePrint(measuring ? "measuring" : "warm-up", measuring ? latency : null);
                if (o.count > 0 && allSent(publishers)) {
                    break;
                }
            }
            if (!measuring) {
                cpuStart = cpuNanos();
                ticker.measuredFrom = publishStart;
            }
        }
        long measureEnd = System.nanoTime();
        long measureEndMillis = System.currentTimeMillis();
        long sentEnd = stats.sent.sum();
        long receivedEnd = stats.received.sum();
        long cpuEnd = cpuNanos();
        latency.add(stats.latency.getIntervalHistogram());
        // Stop every publisher on its own loop and wait until it has: the drain below must not finish
        // while a publisher can still send one more message.
        List<io.netty.util.concurrent.Future<?>> stopped = new ArrayList<>(publishers.size());
        for (BenchConnection c : publishers) {
            stopped.add(c.channelEventLoop().submit(c::stop));
        }
        for (io.netty.util.concurrent.Future<?> f : stopped) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        // 3. Drain: wait for acknowledgements and for the messages still on their way.
        long expectedCopies = scenario.copies(o);
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < drainDeadline) {
            boolean acked = publishers.stream().allMatch(c -> c.inflight() == 0);
            boolean arrived = expectedCopies == 0 || stats.received.sum() >= stats.sent.sum() * expectedCopies;
            if (acked && arrived) {
                break;
            }
            Thread.sleep(20);
        }
        latency.add(stats.latency.getIntervalHistogram());
        double measured = (measureEnd - ticker.measuredFrom) / 1e9;
        if (!publishers.isEmpty() && o.count > 0) {
            sentStart = 0;
            receivedStart = 0;
        }

        BenchReport r = new BenchReport();
        r.scenario = scenario.label();
        r.broker = o.host + ":" + o.port;
        r.version = version.label();
        r.qos = o.qos;
        r.size = Math.max(o.size, BenchConnection.HEADER);
        r.rate = o.rate;
        r.window = o.window;
        // Wall-clock bounds of the measured interval, for tools that sample the broker meanwhile.
        r.measuredToEpochMillis = measureEndMillis;
        r.measuredFromEpochMillis = measureEndMillis - (measureEnd - ticker.measuredFrom) / 1_000_000;
        r.maxOutstanding = stats.maxOutstanding.get();
        r.publishers = publishers.size();
        r.subscribers = (int) connections.stream().filter(c -> c.spec().role() == Role.SUBSCRIBER).count();
        r.connections = specs.size();
        r.connected = ready;
        r.connectSeconds = connectSeconds;
        r.connectLatency = connectLatency;
        r.measuredSeconds = measured;
        r.sent = sentEnd - sentStart;
        r.received = receivedEnd - receivedStart;
        r.sentTotal = stats.sent.sum();
        r.receivedTotal = stats.received.sum();
        r.expectedTotal = r.sentTotal * expectedCopies;
        r.outOfOrder = stats.outOfOrder.sum();
        r.errors = stats.errors.sum();
        r.lastError = stats.lastError;
        r.latency = latency;
        r.cpuSeconds = (cpuEnd - cpuStart) / 1e9;
        r.threads = o.threads;
        r.copies = expectedCopies;
        r.fleetSessions = fleet;
        r.fleetSeconds = fleetSeconds;

        // 4. Disconnect.
        for (BenchConnection c : connections) {
            c.channelEventLoop().execute(c::disconnect);
        }
        long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stats.connected.get() > 0 && System.nanoTime() < closeDeadline) {
            Thread.sleep(20);
        }
        ticker.finish();
        return r;
    }

    private static boolean allSent(List<BenchConnection> publishers) {
        for (BenchConnection c : publishers) {
            if (c.isPublishing()) {
                return false;
            }
        }
        return true;
    }

    private void connect(Bootstrap bootstrap, ClientSpec spec, InetSocketAddress remote,
            @Nullable InetSocketAddress local) {
        BenchConnection c = new BenchConnection(spec, o, version, stats, () -> { });
        connections.add(c);
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(c);
                c.attach(ch);
                byLoop.computeIfAbsent(ch.eventLoop(), k -> new ArrayList<>()).add(c);
            }
        }).connect(remote, local).addListener(f -> {
            if (!f.isSuccess()) {
                stats.failed.incrementAndGet();
                stats.error("cannot connect " + spec.clientId() + ": " + f.cause().getMessage());
            }
        });
    }

    /** Per event loop: rate tokens every 1 to 10 ms (rate mode) and keep-alive once a second. */
    private void schedulePerLoop() {
        for (var e : byLoop.entrySet()) {
            EventLoop loop = e.getKey();
            List<BenchConnection> list = e.getValue();
            if (o.rate > 0) {
                // Tokens every 1/rate seconds, but no more often than every millisecond and no less
                // often than every 10 ms: cheap at low rates, smooth at high ones.
                long period = Math.max(1_000, Math.min(10_000, (long) (1_000_000 / o.rate)));
                long[] last = {System.nanoTime()};
                loop.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    double dt = (now - last[0]) / 1e9;
                    last[0] = now;
                    for (BenchConnection c : list) {
                        if (c.spec().role() == Role.PUBLISHER) {
                            c.tick(dt);
                        }
                    }
                }, period, period, TimeUnit.MICROSECONDS);
            }
            loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                for (BenchConnection c : list) {
                    c.keepAlive(now);
                }
            }, 1, 1, TimeUnit.SECONDS);
        }
    }

    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The live progress line, once a second. */
    private final class Ticker {
        private final PrintStream out;
        private final long start;
        private long lastPrint;
        private long lastSent;
        private long lastReceived;
        private boolean printed;
        long measuredFrom;

        Ticker(PrintStream out, long start) {
            this.out = out;
            this.start = start;
            this.lastPrint = start;
        }

        void maybePrint(String phase) {
            maybePrint(phase, null);
        }

        void maybePrint(String phase, Histogram collect) {
            long now = System.nanoTime();
            if (now - lastPrint < 1_000_000_000L) {
                return;
            }
            double dt = (now - lastPrint) / 1e9;
            lastPrint = now;
            long sent = stats.sent.sum();
            long received = stats.received.sum();
            Histogram h = stats.latency.getIntervalHistogram();
            if (collect != null) {
                collect.add(h);
            }
            if (o.quiet) {
                lastSent = sent;
                lastReceived = received;
                return;
            }
            String line = String.format(java.util.Locale.ROOT,
                    "%5.0fs %-10s conn %d/%d  sent %,.0f/s  recv %,.0f/s  p50 %s  p99 %s  errors %d",
                    (now - start) / 1e9, phase, stats.ready.get(), connections.size(), (sent - lastSent) / dt,
                    (received - lastReceived) / dt, BenchReport.ms(h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(50)),
                    BenchReport.ms(h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(99)), stats.errors.sum());
            out.println(line);
            out.flush();
            printed = true;
            lastSent = sent;
            lastReceived = received;
        }

        void finish() {
            if (printed) {
                out.flush();
            }
        }
    }

    static List<String> scenarioHelp() {
        List<String> l = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            l.add(String.format("  %-8s %s", s.label(), s.description()));
        }
        return l;
    }
}
