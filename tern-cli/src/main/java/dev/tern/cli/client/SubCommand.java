package dev.tern.cli.client;

import dev.tern.client.ConnectResult;
import dev.tern.client.Message;
import dev.tern.client.ReconnectPolicy;
import dev.tern.client.SubscribeResult;
import dev.tern.client.Subscription;
import dev.tern.client.TernClient;
import dev.tern.client.TernClientBuilder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tern sub}: mosquitto_sub. */
@Command(name = "sub", usageHelpAutoWidth = true,
        description = {"Subscribes to topics and prints the messages it receives, like mosquitto_sub.",
            "Exit codes: 0 done, 1 error, 27 -W timeout, the CONNACK code if the broker refused the connection."})
public final class SubCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-t", "--topic"}, paramLabel = "FILTER", description = "Topic filter to subscribe to; repeatable.")
    List<String> topics = new ArrayList<>();

    @Option(names = {"-T", "--filter-out"}, paramLabel = "FILTER", description = "Do not print messages matching FILTER; repeatable.")
    List<String> filterOut = new ArrayList<>();

    @Option(names = {"-U", "--unsubscribe"}, paramLabel = "FILTER", description = "Unsubscribe from FILTER; repeatable.")
    List<String> unsubscribe = new ArrayList<>();

    @Option(names = {"-C", "--count"}, paramLabel = "COUNT", description = "Exit after COUNT messages.")
    @Nullable Integer count;

    @Option(names = {"-E", "--exit-after-subscribe"}, description = "Exit once the subscriptions are acknowledged.")
    boolean exitAfterSubscribe;

    @Option(names = {"-R", "--no-stale"}, description = "Do not print retained (stale) messages.")
    boolean noStale;

    @Option(names = "--retained-only", description = "Only print retained messages; exit at the first live one.")
    boolean retainedOnly;

    @Option(names = "--remove-retained", description = "Clear every retained message received.")
    boolean removeRetained;

    @Option(names = {"-N", "--no-eol"}, description = "No newline after each message.")
    boolean noEol;

    @Option(names = {"-v", "--verbose"}, description = "Print 'topic payload'.")
    boolean verbose;

    @Option(names = {"-F", "--output-format"}, paramLabel = "FORMAT", description = "mosquitto_sub output format (%%t topic, %%p payload, %%q, %%r, %%j ...).")
    @Nullable String outputFormat;

    @Option(names = "--pretty", description = "Indent JSON output (%%j, %%J, --format json).")
    boolean pretty;

    @Option(names = {"-W", "--timeout"}, paramLabel = "SECONDS", description = "Exit with code 27 after SECONDS.")
    @Nullable Integer timeout;

    @Option(names = "--random-filter", paramLabel = "PERCENT", description = "Print only this percentage of messages.")
    double randomFilter = 100.0;

    @Option(names = "--format", paramLabel = "text|json", description = "Tern: json prints one JSON object per message.")
    String format = "text";

    @Option(names = "--color", paramLabel = "auto|always|never", description = "Tern: colour topics when printing to a terminal (auto).")
    String color = "auto";

    @Option(names = "--summary", description = "Tern: print messages and bytes per topic to stderr on exit.")
    boolean summary;

    private final Map<String, long[]> perTopic = new LinkedHashMap<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private int received;
    private @Nullable TernClient mqtt;

    @Override
    public Integer call() {
        List<Subscription> subs;
        MessagePrinter printer;
        TernClientBuilder b;
        MqttProperties subscribeProperties;
        MqttProperties unsubscribeProperties;
        MqttProperties disconnectProperties;
        try {
            client.checkPropertyCommands("connect", "subscribe", "unsubscribe", "disconnect", "will");
            subscribeProperties = client.properties("subscribe");
            unsubscribeProperties = client.properties("unsubscribe");
            disconnectProperties = client.properties("disconnect");
            b = client.builder("tern_sub").connectTimeout(ClientOptions.connectTimeout())
                    .automaticReconnect(ReconnectPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)));
            if (client.urlTopic != null) {
                topics.add(0, client.urlTopic);
            }
            subs = subscriptions();
            printer = printer();
            if (count != null && count < 1) {
                throw new UsageException("Invalid message count \"" + count + "\".");
            }
            if (timeout != null && (timeout < 1 || timeout > 3600 * 24 * 365)) {
                throw new UsageException("Invalid timeout \"" + timeout + "\".");
            }
        } catch (UsageException | IllegalArgumentException e) {
            return fail(e, 1);
        }
        if (client.debug) {
            b = b.packetTrace(new DebugTrace(client.clientIdUsed, System.err));
        }
        TernClient c = b.defaultHandler(m -> onMessage(m, printer)).build();
        mqtt = c;
        Thread hook = new Thread(() -> {
            if (!exit.isDone()) {
                c.disconnect().orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
                printSummary();
            }
        }, "tern-sub-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        for (String name : new String[] {"INT", "TERM"}) {
            // Ctrl-C ends the subscription normally: disconnect, summary, exit 0 (as mosquitto_sub).
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> finish(0, null));
        }
        try {
            ConnectResult connected = c.connect().get();
            if (client.debug) {
                System.err.println("Connected (session present: " + connected.sessionPresent() + ")");
            }
            CompletableFuture<SubscribeResult> subscribed = c.subscribe(subs, subscribeProperties,
                    m -> onMessage(m, printer));
            if (timeout != null) {
                c.eventLoop().schedule(() -> finish(Failures.TIMED_OUT, "Timed out"), timeout, TimeUnit.SECONDS);
            }
            SubscribeResult r = subscribed.get();
            if (r.reasonCodes().stream().allMatch(code -> code >= 0x80)) {
                finish(1, "Error: All subscription requests were denied.");
            } else if (client.debug) {
                System.err.println("Subscribed: " + r.reasonCodes());
            }
            if (!unsubscribe.isEmpty()) {
                c.unsubscribe(unsubscribe, unsubscribeProperties).get();
            }
            if (exitAfterSubscribe) {
                finish(0, null);
            }
            int code = exit.get();
            Runtime.getRuntime().removeShutdownHook(hook);
            c.disconnect(0, disconnectProperties).orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            printSummary();
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            c.close();
            return fail(e, Failures.exitCode(e));
        }
    }

    private int fail(Throwable e, int code) {
        if (!client.quiet) {
            System.err.println(Failures.message(e));
        }
        return code;
    }

    private void finish(int code, @Nullable String message) {
        if (exit.isDone()) {
            return;
        }
        if (message != null && !client.quiet) {
            System.err.println(message);
        }
        exit.complete(code);
    }

    private List<Subscription> subscriptions() {
        if (topics.isEmpty()) {
            throw new UsageException("You must specify a topic to subscribe to (-t).");
        }
        QoS qos = client.qos();
        List<Subscription> subs = new ArrayList<>();
        for (String t : topics) {
            try {
                subs.add(new Subscription(t, qos));
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid subscription topic '" + t + "', are all '+' and '#' wildcards correct?");
            }
        }
        for (String t : filterOut) {
            if (Topics.checkFilter(t) != null) {
                throw new UsageException("Invalid filter topic '" + t + "', are all '+' and '#' wildcards correct?");
            }
        }
        for (String t : unsubscribe) {
            if (Topics.checkFilter(t) != null) {
                throw new UsageException("Invalid unsubscribe topic '" + t + "', are all '+' and '#' wildcards correct?");
            }
        }
        return subs;
    }

    private MessagePrinter printer() {
        boolean colour = switch (color.toLowerCase(Locale.ROOT)) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> Terminal.stdoutIsTerminal() && System.getenv("NO_COLOR") == null;
            default -> throw new UsageException("Invalid --color '" + color + "': use auto, always or never.");
        };
        String f = outputFormat;
        String problem = f == null ? null : MessagePrinter.checkFormat(f);
        if (problem != null) {
            throw new UsageException(problem);
        }
        switch (format.toLowerCase(Locale.ROOT)) {
            case "text" -> { }
            case "json" -> f = "%j";
            default -> throw new UsageException("Invalid --format '" + format + "': use text or json.");
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false);
        return new MessagePrinter(f, verbose, !noEol, pretty, colour, out);
    }

    // event loop only (or the callback executor: one at a time)
    private void onMessage(Message m, MessagePrinter printer) {
        if (exit.isDone()) {
            return;
        }
        for (String f : filterOut) {
            if (Topics.matches(f, m.topic())) {
                return;
            }
        }
        if (retainedOnly && !m.retain()) {
            finish(0, null);
            return;
        }
        if (removeRetained && m.retain() && mqtt != null) {
            mqtt.publish(Message.builder(m.topic()).retain(true).qos(1).build());
        }
        if (noStale && m.retain()) {
            return;
        }
        if (randomFilter < 100.0 && ThreadLocalRandom.current().nextDouble(100.0) >= randomFilter) {
            return;
        }
        printer.print(m);
        if (summary) {
            synchronized (perTopic) {
                long[] s = perTopic.computeIfAbsent(m.topic(), k -> new long[2]);
                s[0]++;
                s[1] += m.payloadSize();
            }
        }
        received++;
        if (count != null && received >= count) {
            finish(0, null);
        }
    }

    private void printSummary() {
        if (!summary) {
            return;
        }
        synchronized (perTopic) {
            int width = perTopic.keySet().stream().mapToInt(String::length).max().orElse(5);
            width = Math.max(width, 5);
            System.err.printf(Locale.ROOT, "%-" + width + "s %10s %12s%n", "topic", "messages", "bytes");
            long total = 0;
            long bytes = 0;
            for (var e : perTopic.entrySet()) {
                System.err.printf(Locale.ROOT, "%-" + width + "s %10d %12d%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1]);
                total += e.getValue()[0];
                bytes += e.getValue()[1];
            }
            System.err.printf(Locale.ROOT, "%-" + width + "s %10d %12d%n", "(" + perTopic.size() + " topics)", total,
                    bytes);
        }
    }
}
