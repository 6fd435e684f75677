package dev.tern.cli.client;

import dev.tern.client.Message;
import dev.tern.client.Subscription;
import dev.tern.client.TernClient;
import dev.tern.client.TernClientBuilder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tern rr}: mosquitto_rr. Subscribes to the response topic, publishes the request with it as
 * the MQTT 5 Response Topic, prints the first response and exits.
 */
@Command(name = "rr", usageHelpAutoWidth = true,
        description = {"Request/response over MQTT 5, like mosquitto_rr: publishes a request with a Response Topic",
            "and prints the first message received on it.",
            "Exit codes: 0 done, 1 error, 27 -W timeout, the CONNACK code if the broker refused the connection."})
public final class RrCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-t", "--topic"}, paramLabel = "TOPIC", description = "Request topic.")
    @Nullable String topic;

    @Option(names = {"-e", "--response-topic"}, paramLabel = "TOPIC", description = "Response topic.")
    @Nullable String responseTopic;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", description = "Request payload.")
    @Nullable String message;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Request payload from a file.")
    @Nullable Path file;

    @Option(names = {"-s", "--stdin-file"}, description = "Request payload from standard input.")
    boolean stdinFile;

    @Option(names = {"-n", "--null-message"}, description = "Empty request payload.")
    boolean nullMessage;

    @Option(names = {"-r", "--retain"}, description = "Retain the request.")
    boolean retain;

    @Option(names = {"-N", "--no-eol"}, description = "No newline after the response.")
    boolean noEol;

    @Option(names = {"-v", "--verbose"}, description = "Print 'topic payload'.")
    boolean verbose;

    @Option(names = {"-F", "--output-format"}, paramLabel = "FORMAT", description = "Output format, as for tern sub.")
    @Nullable String outputFormat;

    @Option(names = "--pretty", description = "Indent JSON output.")
    boolean pretty;

    @Option(names = {"-W", "--timeout"}, paramLabel = "SECONDS", description = "Give up after SECONDS (exit 27).")
    int timeout;

    @Override
    public Integer call() {
        TernClientBuilder b;
        byte[] payload;
        MqttProperties subscribeProperties;
        MqttProperties publishProperties;
        try {
            if (client.protocolVersion == null) {
                client.protocolVersion = "mqttv5";
            }
            if (client.version() != MqttVersion.MQTT_5) {
                throw new UsageException("tern rr needs MQTT v5 (Response Topic is a v5 property).");
            }
            client.checkPropertyCommands("connect", "publish", "subscribe", "disconnect", "will");
            b = client.builder("tern_rr").connectTimeout(ClientOptions.connectTimeout());
            subscribeProperties = client.properties("subscribe");
            publishProperties = client.properties("publish");
            String t = topic != null ? topic : client.urlTopic;
            if (t == null || responseTopic == null) {
                throw new UsageException("Both request (-t) and response (-e) topics must be supplied.");
            }
            topic = t;
            int modes = (message != null ? 1 : 0) + (file != null ? 1 : 0) + (stdinFile ? 1 : 0) + (nullMessage ? 1 : 0);
            if (modes != 1) {
                throw new UsageException(modes == 0 ? "A request message must be supplied (-m, -f, -s or -n)."
                        : "Only one type of message can be sent at once.");
            }
            payload = message != null ? message.getBytes(StandardCharsets.UTF_8)
                    : file != null ? Files.readAllBytes(file) : stdinFile ? System.in.readAllBytes() : new byte[0];
            Message.builder(topic).responseTopic(responseTopic).build();
            String problem = outputFormat == null ? null : MessagePrinter.checkFormat(outputFormat);
            if (problem != null) {
                throw new UsageException(problem);
            }
        } catch (UsageException | IllegalArgumentException e) {
            return fail(e, 1);
        } catch (java.io.IOException e) {
            return fail(new UsageException("Unable to read the request: " + e.getMessage()), 1);
        }
        if (client.debug) {
            b = b.packetTrace(new DebugTrace(client.clientIdUsed, System.err));
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false);
        MessagePrinter printer = new MessagePrinter(outputFormat, verbose, !noEol, pretty, false, out);
        CompletableFuture<Message> response = new CompletableFuture<>();
        try (TernClient c = b.build()) {
            c.connect().get();
            c.subscribe(List.of(new Subscription(responseTopic, client.qos())), subscribeProperties,
                    response::complete).get();
            c.publish(Message.builder(topic).payload(payload).qos(client.qos()).retain(retain)
                    .properties(publishProperties).responseTopic(responseTopic).build()).get();
            Message m = timeout > 0 ? response.get(timeout, TimeUnit.SECONDS) : response.get();
            printer.print(m);
            c.disconnect().get(5, TimeUnit.SECONDS);
            return 0;
        } catch (TimeoutException e) {
            if (!client.quiet) {
                System.err.println("Timed out");
            }
            return Failures.TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            return fail(e, Failures.exitCode(e));
        }
    }

    private int fail(Throwable e, int code) {
        if (!client.quiet) {
            System.err.println(Failures.message(e));
        }
        return code;
    }
}
