package dev.tern.broker.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Reads mosquitto.conf-style files: one {@code option value} per line, {@code #} comments, options
 * after a {@code listener} line applying to that listener, {@code include_dir} for more files.
 * Anything it cannot use is an error naming the file, the line and the option; nothing is silently
 * ignored, because an ignored security or limit setting is worse than a refusal to start.
 */
public final class ConfigParser {
    /** Options that belong to features still to come, with what to tell the user. */
    private static final Map<String, String> NOT_YET_SUPPORTED = notYetSupported();

    private final BrokerConfig.Builder builder;
    private final Set<String> logTypes = new LinkedHashSet<>();
    private final List<String> logDestinations = new ArrayList<>();
    private boolean logTimestamps = LogSettings.DEFAULT.timestamps();
    private @Nullable Integer defaultPort;
    private @Nullable String defaultBindAddress;
    private @Nullable ListenerConfig currentListener;
    private final List<ListenerConfig> listeners = new ArrayList<>();
    private int includeDepth;

    private ConfigParser(BrokerConfig.Builder builder) {
        this.builder = builder;
    }

    /** Parses a configuration file into settings. */
    public static BrokerConfig parse(Path file) throws ConfigException {
        ConfigParser parser = new ConfigParser(BrokerConfig.builder());
        parser.parseFile(file);
        return parser.finish();
    }

    /** Parses configuration text (as if read from {@code origin}) into settings. */
    public static BrokerConfig parse(String text, Path origin) throws ConfigException {
        ConfigParser parser = new ConfigParser(BrokerConfig.builder());
        parser.parseLines(text.lines().toList(), origin);
        return parser.finish();
    }

    private void parseFile(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new ConfigException(file, 0, null, "the file is not valid UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file, 0, null, "cannot read the file: " + e);
        }
        parseLines(lines, file);
    }

    private void parseLines(List<String> lines, Path file) throws ConfigException {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = indexOfWhitespace(line);
            String option = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1).strip();
            try {
                apply(option, value, file);
            } catch (BadValue e) {
                throw new ConfigException(file, i + 1, option, e.getMessage());
            }
        }
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private BrokerConfig finish() {
        List<ListenerConfig> all = new ArrayList<>();
        if (defaultPort != null || defaultBindAddress != null) {
            all.add(ListenerConfig.mqtt(defaultPort == null ? BrokerConfig.DEFAULT_PORT : defaultPort,
                    defaultBindAddress));
        }
        all.addAll(listeners);
        all.forEach(builder::listener);
        if (!logTypes.isEmpty() || !logDestinations.isEmpty() || logTimestamps != LogSettings.DEFAULT.timestamps()) {
            builder.log(new LogSettings(logTypes.isEmpty() ? LogSettings.DEFAULT.types() : logTypes,
                    logDestinations.isEmpty() ? LogSettings.DEFAULT.destinations() : logDestinations, logTimestamps));
        }
        return builder.build();
    }

    private void apply(String option, String value, Path file) throws BadValue, ConfigException {
        String notYet = NOT_YET_SUPPORTED.get(option);
        if (notYet != null && !isHarmlessDefault(option, value)) {
            throw new BadValue("not supported by this version of Tern: " + notYet);
        }
        switch (option) {
            case "listener" -> listener(value);
            case "port" -> defaultPort = port(value);
            case "bind_address" -> defaultBindAddress = nonEmpty(value);
            case "protocol" -> {
                String v = nonEmpty(value);
                if (!v.equals("mqtt")) {
                    throw new BadValue("only 'mqtt' is supported so far; 'websockets' comes with WebSocket support");
                }
            }
            case "socket_domain" -> oneOf(value, "ipv4", "ipv6");
            case "max_connections" -> {
                int max = integer(value, -1, Integer.MAX_VALUE);
                if (currentListener == null) {
                    builder.maxConnections(max);
                } else {
                    updateListener(new ListenerConfig(currentListener.port(), currentListener.bindAddress(),
                            currentListener.protocol(), max, currentListener.allowAnonymous()));
                }
            }
            case "allow_anonymous" -> builder.allowAnonymous(bool(value));
            case "allow_zero_length_clientid" -> builder.allowZeroLengthClientId(bool(value));
            case "auto_id_prefix" -> builder.autoIdPrefix(nonEmpty(value));
            case "max_inflight_messages" -> builder.maxInflightMessages(integer(value, 0, 65_535));
            case "max_queued_messages" -> builder.maxQueuedMessages(integer(value, 0, Integer.MAX_VALUE));
            case "max_queued_bytes" -> builder.maxQueuedBytes(longValue(value, 0, Long.MAX_VALUE));
            case "max_packet_size" -> {
                int v = integer(value, 0, 268_435_460);
                if (v != 0 && v < 20) {
                    throw new BadValue("must be 0 (no limit) or at least 20 bytes, was " + v);
                }
                builder.maxPacketSize(v);
            }
            case "message_size_limit" -> builder.messageSizeLimit(longValue(value, 0, 268_435_455));
            case "max_keepalive" -> builder.maxKeepalive(integer(value, 10, 65_535));
            case "max_qos" -> builder.maxQos(integer(value, 0, 2));
            case "persistent_client_expiration" -> builder.persistentClientExpiration(expiration(value));
            case "queue_qos0_messages" -> builder.queueQos0Messages(bool(value));
            case "retain_available" -> builder.retainAvailable(bool(value));
            case "upgrade_outgoing_qos" -> builder.upgradeOutgoingQos(bool(value));
            case "sys_interval" -> builder.sysInterval(Duration.ofSeconds(integer(value, 0, 65_535)));
            case "connect_timeout" -> builder.connectTimeout(Duration.ofSeconds(integer(value, 1, 3_600)));
            case "connection_messages" -> builder.connectionMessages(bool(value));
            case "set_tcp_nodelay" -> builder.tcpNoDelay(bool(value));
            case "event_loop_threads" -> builder.eventLoopThreads(integer(value, 0, 1024));
            case "pid_file" -> builder.pidFile(nonEmpty(value));
            case "log_type" -> logType(value);
            case "log_dest" -> logDest(value);
            case "log_timestamp" -> logTimestamps = bool(value);
            case "log_timestamp_format" -> nonEmpty(value); // timestamps are ISO-8601; accepted for compatibility
            case "user" -> nonEmpty(value); // a JVM cannot drop privileges; run Tern as the user you want
            case "include_dir" -> includeDir(value, file);
            case "max_topic_alias" -> {
                int v = integer(value, 0, 65_535);
                builder.mqtt5(m -> m.withMaxTopicAlias(v));
            }
            case "max_outgoing_topic_alias" -> {
                int v = integer(value, 0, 65_535);
                builder.mqtt5(m -> m.withMaxOutgoingTopicAlias(v));
            }
            case "shared_subscription_strategy" -> {
                String v = oneOf(value, "round_robin", "random", "sticky");
                builder.mqtt5(m -> m.withSharedSubscriptionStrategy(
                        dev.tern.broker.routing.SharedSubscriptionStrategy.valueOf(v.toUpperCase(java.util.Locale.ROOT))));
            }
            case "response_information_prefix" -> {
                String v = value.equals("\"\"") ? "" : value;
                builder.mqtt5(m -> m.withResponseInformationPrefix(v));
            }
            case "validate_payload_format" -> {
                boolean v = bool(value);
                builder.mqtt5(m -> m.withValidatePayloadFormat(v));
            }
            case "wildcard_subscriptions" -> {
                boolean v = bool(value);
                builder.mqtt5(m -> m.withWildcardSubscriptions(v));
            }
            case "subscription_identifiers" -> {
                boolean v = bool(value);
                builder.mqtt5(m -> m.withSubscriptionIdentifiers(v));
            }
            case "shared_subscriptions" -> {
                boolean v = bool(value);
                builder.mqtt5(m -> m.withSharedSubscriptions(v));
            }
            default -> {
                if (notYet != null) {
                    return; // harmless value of a not-yet-supported option
                }
                throw new BadValue("unknown option (see the configuration reference in README.md)");
            }
        }
    }

    private void listener(String value) throws BadValue {
        String[] parts = value.split("\\s+");
        if (value.isEmpty() || parts.length > 2) {
            throw new BadValue("expected 'listener PORT [ADDRESS]', got '" + value + "'");
        }
        int port = port(parts[0]);
        String address = parts.length == 2 ? parts[1] : null;
        currentListener = ListenerConfig.mqtt(port, address);
        listeners.add(currentListener);
    }

    private void updateListener(ListenerConfig updated) {
        listeners.set(listeners.size() - 1, updated);
        currentListener = updated;
    }

    private void logType(String value) throws BadValue {
        String v = oneOf(value, "error", "warning", "notice", "information", "debug", "subscribe", "unsubscribe",
                "websockets", "all", "none");
        logTypes.add(v);
    }

    private void logDest(String value) throws BadValue {
        String[] parts = value.split("\\s+", 2);
        switch (parts[0]) {
            case "stdout", "stderr", "none" -> logDestinations.add(parts[0]);
            case "file" -> {
                if (parts.length < 2 || parts[1].isBlank()) {
                    throw new BadValue("'log_dest file' needs a path");
                }
                logDestinations.add("file " + parts[1].strip());
            }
            case "syslog", "topic", "dlt" -> throw new BadValue("'" + parts[0]
                    + "' is not supported; use stdout, stderr or file PATH");
            default -> throw new BadValue("expected stdout, stderr, file PATH or none, got '" + value + "'");
        }
    }

    private void includeDir(String value, Path file) throws BadValue, ConfigException {
        Path dir = Path.of(nonEmpty(value));
        if (!dir.isAbsolute() && file.getParent() != null) {
            dir = file.getParent().resolve(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new BadValue("'" + dir + "' is not a directory");
        }
        if (++includeDepth > 8) {
            throw new BadValue("include_dir nested more than 8 deep");
        }
        List<Path> confs;
        try (Stream<Path> s = Files.list(dir)) {
            confs = s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
        } catch (IOException e) {
            throw new BadValue("cannot list '" + dir + "': " + e);
        }
        for (Path conf : confs) {
            parseFile(conf);
        }
        includeDepth--;
    }

    private static boolean isHarmlessDefault(String option, String value) {
        return switch (option) {
            case "persistence", "per_listener_settings", "require_certificate", "use_identity_as_username",
                 "use_subject_as_username" -> value.equals("false");
            default -> false;
        };
    }

    // ---- Value parsers --------------------------------------------------------------------

    /** A value that cannot be used; becomes a {@link ConfigException} with file and line. */
    private static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    private static String nonEmpty(String value) throws BadValue {
        if (value.isEmpty()) {
            throw new BadValue("a value is required");
        }
        return value;
    }

    private static boolean bool(String value) throws BadValue {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadValue("expected true or false, got '" + value + "'");
        };
    }

    private static int port(String value) throws BadValue {
        return integer(value, 0, 65_535);
    }

    private static int integer(String value, int min, int max) throws BadValue {
        long v = longValue(value, min, max);
        return (int) v;
    }

    private static long longValue(String value, long min, long max) throws BadValue {
        long v;
        try {
            v = Long.parseLong(nonEmpty(value));
        } catch (NumberFormatException e) {
            throw new BadValue("expected a whole number, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new BadValue("must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    private static String oneOf(String value, String... allowed) throws BadValue {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new BadValue("expected one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }

    /** Mosquitto's expiration syntax: a number and h, d, w, m (30 days) or y (365 days); Tern adds s. */
    static @Nullable Duration expiration(String value) throws BadValue {
        if (value.equals("0") || value.equals("never")) {
            return null;
        }
        if (value.length() < 2) {
            throw new BadValue("expected a number followed by s, h, d, w, m or y (e.g. 14d), got '" + value + "'");
        }
        char unit = value.charAt(value.length() - 1);
        long amount;
        try {
            amount = Long.parseLong(value.substring(0, value.length() - 1));
        } catch (NumberFormatException e) {
            throw new BadValue("expected a number followed by s, h, d, w, m or y (e.g. 14d), got '" + value + "'");
        }
        if (amount <= 0) {
            throw new BadValue("must be positive, was '" + value + "'");
        }
        long seconds = switch (unit) {
            case 's' -> 1;
            case 'h' -> 3_600;
            case 'd' -> 86_400;
            case 'w' -> 7 * 86_400;
            case 'm' -> 30 * 86_400;
            case 'y' -> 365 * 86_400;
            default -> throw new BadValue("unknown unit '" + unit + "'; use s, h, d, w, m or y");
        };
        return Duration.ofSeconds(Math.multiplyExact(amount, seconds));
    }

    private static Map<String, String> notYetSupported() {
        Map<String, String> m = new HashMap<>();
        String auth = "password files, ACLs and plugins come with the security issue";
        for (String o : List.of("password_file", "acl_file", "auth_plugin", "plugin", "auth_opt", "psk_file",
                "psk_hint", "per_listener_settings", "clientid_prefixes")) {
            m.put(o, auth);
        }
        String tls = "TLS and WebSockets come with the security and transports issue";
        for (String o : List.of("cafile", "capath", "certfile", "keyfile", "crlfile", "require_certificate",
                "use_identity_as_username", "use_subject_as_username", "tls_version", "ciphers", "ciphers_tls1.3",
                "tls_engine", "tls_keyform", "http_dir", "websockets_log_level", "websockets_headers_size")) {
            m.put(o, tls);
        }
        String persistence = "messages and sessions are kept in memory until durable storage lands; "
                + "use 'persistence false' or remove the line";
        for (String o : List.of("persistence", "persistence_file", "persistence_location", "autosave_interval",
                "autosave_on_changes")) {
            m.put(o, persistence);
        }
        for (String o : List.of("connection", "address", "topic", "bridge_protocol_version", "remote_clientid",
                "remote_username", "remote_password")) {
            m.put(o, "bridges are not implemented");
        }
        m.put("memory_limit", "the global memory limit comes with the security issue");
        m.put("mount_point", "mount points are not implemented");
        m.put("check_retain_source", "comes with ACL support");
        return Map.copyOf(m);
    }
}
