package dev.tern.cli.bench;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options of {@code tern bench}. */
final class BenchOptions {
    @Option(names = {"-h", "--host"}, paramLabel = "HOST", description = "Broker host (default 127.0.0.1).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Broker port (default 1883).")
    int port = 1883;

    @Option(names = {"-V", "--protocol-version"}, paramLabel = "VERSION", description = "mqttv311 (default), mqttv5 or mqttv31.")
    String protocolVersion = "mqttv311";

    @Option(names = {"-c", "--clients"}, paramLabel = "N",
            description = "Publishers (pub, fan-in, fan-out, shared), pairs (pairs) or connections (conn); default 10.")
    int clients = -1;

    @Option(names = {"-s", "--subscribers"}, paramLabel = "N", description = "Subscribers (fan-in 1, fan-out 100, shared 2, sub 1).")
    int subscribers = -1;

    @Option(names = {"-q", "--qos"}, paramLabel = "QOS", description = "QoS of publishes and subscriptions (default 0).")
    int qos;

    @Option(names = {"-S", "--size"}, paramLabel = "BYTES", description = "Payload size, at least 16 (default 64).")
    int size = 64;

    @Option(names = {"-t", "--topic"}, paramLabel = "PATTERN", description = "Publish topic; %%i is the client index.")
    @Nullable String topic;

    @Option(names = {"-f", "--filter"}, paramLabel = "PATTERN", description = "Subscription filter; %%i is the client index.")
    @Nullable String filter;

    @Option(names = {"-r", "--rate"}, paramLabel = "MSG/S", description = "Messages per second per publisher (0: as fast as the window allows).")
    double rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", description = "Publishing time (default 10).")
    double duration = 10;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Messages per publisher (instead of a duration).")
    long count;

    @Option(names = {"-w", "--warmup"}, paramLabel = "SECONDS", description = "Seconds of publishing before measuring (default 1).")
    double warmup = 1;

    @Option(names = "--inflight", paramLabel = "N", description = "QoS 1/2 messages in flight per publisher (default 64).")
    int inflight = 64;

    @Option(names = "--window", paramLabel = "N", description = "End-to-end window: at most N messages per publisher "
            + "sent and not yet received by all its subscribers (0, the default: no such limit). Makes a run without "
            + "-r a saturation run whose rate the broker sets, without overrunning its queues.")
    int window;

    @Option(names = "--connect-rate", paramLabel = "CONN/S", description = "New connections per second (default 2000).")
    int connectRate = 2000;

    @Option(names = {"-k", "--keepalive"}, paramLabel = "SECONDS", description = "Keep-alive (default 60).")
    int keepAlive = 60;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads (default 2).")
    int threads = 2;

    @Option(names = {"-i", "--id-prefix"}, paramLabel = "PREFIX", description = "Client id prefix (default bench-PID-).")
    String idPrefix = "bench-" + ProcessHandle.current().pid() + "-";

    @Option(names = {"-u", "--username"}, paramLabel = "USER")
    @Nullable String username;

    @Option(names = {"-P", "--pw"}, paramLabel = "PASSWORD")
    @Nullable String password;

    @Option(names = "--format", paramLabel = "text|json", description = "Summary on stdout as text (default) or JSON.")
    String format = "text";

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the JSON summary to FILE.")
    java.nio.file.@Nullable Path jsonFile;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    @Option(names = "--persistent", description = "Subscribers keep a persistent session (clean session 0; MQTT 5:"
            + " Session Expiry Interval 0xFFFFFFFF), so that the broker stores what it queues for them.")
    boolean persistentSubscribers;

    @Option(names = "--fleet", paramLabel = "N", description = "fleet: persistent sessions to create before the run,"
            + " ten subscriptions each (default 10: 100 subscriptions; 100000: 1,000,000).")
    int fleet = -1;

    int fleetOr(int dflt) {
        return fleet >= 0 ? fleet : dflt;
    }

    int clientsOr(int dflt) {
        return clients >= 0 ? clients : dflt;
    }

    int subscribersOr(int dflt) {
        return subscribers >= 0 ? subscribers : dflt;
    }

    String topicOr(String dflt) {
        return topic != null ? topic : dflt;
    }

    String filterOr(String dflt) {
        return filter != null ? filter : dflt;
    }
}
