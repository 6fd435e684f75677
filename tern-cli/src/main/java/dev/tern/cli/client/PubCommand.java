package dev.tern.cli.client;

import dev.tern.client.Message;
import dev.tern.client.PublishResult;
import dev.tern.client.TernClient;
import dev.tern.client.TernClientBuilder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tern pub}: mosquitto_pub. */
@Command(name = "pub", usageHelpAutoWidth = true,
        description = {"Publishes one message (or one per line of input) and exits, like mosquitto_pub.",
            "Exit codes: 0 done, 1 error, the CONNACK code if the broker refused the connection."})
public final class PubCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC", description = "Topic to publish to.")
    @Nullable String topic;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", description = "The payload.")
    @Nullable String message;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Send the file's contents.")
    @Nullable Path file;

    @Option(names = {"-s", "--stdin-file"}, description = "Send all of standard input as one message.")
    boolean stdinFile;

    @Option(names = {"-l", "--stdin-line"}, description = "Send each line of standard input as a message.")
    boolean stdinLine;

    @Option(names = {"-n", "--null-message"}, description = "Send a zero-length message.")
    boolean nullMessage;

    @Option(names = {"-r", "--retain"}, description = "Retain the message.")
    boolean retain;

    @Option(names = "--repeat", paramLabel = "N", description = "Publish the message N times.")
    int repeat = 1;

    @Option(names = "--repeat-delay", paramLabel = "SECONDS", description = "Seconds between repeats.")
    double repeatDelay;

    @Option(names = {"-M", "--max-inflight"}, paramLabel = "N", description = "QoS 1/2 messages in flight at once (default 20).")
    int maxInflight = 20;

    @Override
    public Integer call() {
        TernClientBuilder b;
        QoS qos;
        MqttProperties properties;
        MqttProperties disconnectProperties;
        try {
            client.checkPropertyCommands("connect", "publish", "disconnect", "will");
            b = client.builder("tern_pub").connectTimeout(ClientOptions.connectTimeout());
            qos = client.qos();
            properties = client.properties("publish");
            disconnectProperties = client.properties("disconnect");
            validate();
            if (maxInflight < 1 || maxInflight > 65_535) {
                throw new UsageException("Invalid max inflight given: " + maxInflight);
            }
            b = b.maxInflight(maxInflight).messageQueue(Integer.MAX_VALUE, dev.tern.client.OverflowPolicy.FAIL_NEW);
        } catch (UsageException | IllegalArgumentException e) {
            return fail(e, 1);
        }
        if (client.debug) {
            b = b.packetTrace(new DebugTrace(client.clientIdUsed, System.err));
        }
        String t = topic != null ? topic : client.urlTopic;
        try (TernClient c = b.build()) {
            c.connect().get();
            List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
            if (stdinLine) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        sent.add(c.publish(message(t, line.getBytes(StandardCharsets.UTF_8), qos, properties)));
                        trim(sent);
                    }
                }
            } else {
                byte[] payload = payload();
                for (int i = 0; i < Math.max(1, repeat); i++) {
                    if (i > 0 && repeatDelay > 0) {
                        Thread.sleep((long) (repeatDelay * 1000));
                    }
                    sent.add(c.publish(message(t, payload, qos, properties)));
                    trim(sent);
                }
            }
            for (CompletableFuture<PublishResult> f : sent) {
                f.get();
            }
            c.disconnect(0, disconnectProperties).get(5, TimeUnit.SECONDS);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            return fail(e, Failures.exitCode(e));
        }
    }

    /** Keeps the list of futures short for long -l inputs: completed ones are checked and dropped. */
    private static void trim(List<CompletableFuture<PublishResult>> sent) throws Exception {
        if (sent.size() > 1000) {
            List<CompletableFuture<PublishResult>> keep = new ArrayList<>();
            for (CompletableFuture<PublishResult> f : sent) {
                if (f.isDone()) {
                    f.get();
                } else {
                    keep.add(f);
                }
            }
            sent.clear();
            sent.addAll(keep);
        }
    }

    private Message message(@Nullable String t, byte[] payload, QoS qos, MqttProperties properties) {
        return Message.builder(t).payload(payload).qos(qos).retain(retain).properties(properties).build();
    }

    private void validate() {
        int modes = (message != null ? 1 : 0) + (file != null ? 1 : 0) + (stdinFile ? 1 : 0) + (stdinLine ? 1 : 0)
                + (nullMessage ? 1 : 0);
        if (modes > 1) {
            throw new UsageException("Only one type of message can be sent at once.");
        }
        String t = topic != null ? topic : client.urlTopic;
        if (t == null || modes == 0) {
            throw new UsageException("Both topic and message must be supplied.");
        }
        try {
            Message.builder(t).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid publish topic '" + t + "', does it contain '+' or '#'?");
        }
        if (repeat < 1) {
            throw new UsageException("Invalid repeat count given: " + repeat);
        }
        if (repeatDelay < 0) {
            throw new UsageException("Invalid repeat delay given: " + repeatDelay);
        }
        if (file != null && !Files.isReadable(file)) {
            throw new UsageException("Unable to read file \"" + file + "\".");
        }
    }

    private byte[] payload() throws IOException {
        if (message != null) {
            return message.getBytes(StandardCharsets.UTF_8);
        }
        if (file != null) {
            return Files.readAllBytes(file);
        }
        if (stdinFile) {
            return System.in.readAllBytes();
        }
        return new byte[0];
    }

    private int fail(Throwable e, int code) {
        if (!client.quiet) {
            System.err.println(Failures.message(e));
        }
        return code;
    }
}
