package dev.tern.broker.config;

import dev.tern.broker.store.SyncPolicy;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
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
    /** Options of the default listener ({@code port}/{@code bind_address}) and the per-listener ones. */
    private final ListenerDraft defaultListener = new ListenerDraft(BrokerConfig.DEFAULT_PORT, null);
    private @Nullable ListenerDraft currentListener;
    private final List<ListenerDraft> listeners = new ArrayList<>();
    private boolean perListenerSettings;
    private AuthSettings globalAuth = AuthSettings.NONE;
    private SecuritySettings security = SecuritySettings.DEFAULT;
    private int includeDepth;
    /** The line being applied, for errors found later. */
    private int currentLine;

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
                currentLine = i + 1;
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

    private BrokerConfig finish() throws ConfigException {
        List<ListenerConfig> all = new ArrayList<>();
        if (defaultPort != null || defaultBindAddress != null) {
            defaultListener.port = defaultPort == null ? BrokerConfig.DEFAULT_PORT : defaultPort;
            defaultListener.address = defaultBindAddress;
            all.add(defaultListener.build(perListenerSettings ? globalAuth : null));
        } else if (defaultListener.touched) {
            throw new ConfigException(defaultListener.origin, defaultListener.originLine, defaultListener.originOption,
                    "this listener option comes before any 'listener' line and there is no 'port' line for it to "
                            + "apply to; move it after a 'listener' line");
        }
        for (ListenerDraft d : listeners) {
            all.add(d.build(null));
        }
        all.forEach(builder::listener);
        builder.security(security.withPerListenerSettings(perListenerSettings).withAuth(globalAuth));
        if (!logTypes.isEmpty() || !logDestinations.isEmpty() || logTimestamps != LogSettings.DEFAULT.timestamps()) {
            builder.log(new LogSettings(logTypes.isEmpty() ? LogSettings.DEFAULT.types() : logTypes,
                    logDestinations.isEmpty() ? LogSettings.DEFAULT.destinations() : logDestinations, logTimestamps));
        }
        return builder.build();
    }

    /** A listener's options while the file is read; order of lines within a listener is free. */
    private static final class ListenerDraft {
        int port;
        @Nullable String address;
        String protocol = ListenerConfig.MQTT;
        @Nullable Integer maxConnections;
        @Nullable Boolean allowAnonymous;
        @Nullable String certFile;
        @Nullable String keyFile;
        @Nullable String caFile;
        @Nullable String caPath;
        @Nullable String crlFile;
        boolean requireCertificate;
        boolean useIdentityAsUsername;
        boolean useSubjectAsUsername;
        String tlsVersion = "TLSv1.2";
        List<String> ciphers = List.of();
        List<String> ciphersTls13 = List.of();
        @Nullable AuthSettings auth;
        int httpHeaderSize = ListenerConfig.DEFAULT_HTTP_HEADER_SIZE;
        /** Where the listener was defined (or its first option), for errors found at the end. */
        @Nullable Path origin;
        int originLine;
        @Nullable String originOption;
        boolean touched;

        ListenerDraft(int port, @Nullable String address) {
            this.port = port;
            this.address = address;
        }

        void touch(Path file, int line, String option) {
            if (!touched) {
                touched = true;
                if (origin == null) {
                    origin = file;
                    originLine = line;
                    originOption = option;
                }
            }
        }

        ListenerConfig build(@Nullable AuthSettings fallbackAuth) throws ConfigException {
            TlsSettings tls = null;
            boolean anyTls = certFile != null || keyFile != null || caFile != null || caPath != null || crlFile != null
                    || requireCertificate || useIdentityAsUsername || useSubjectAsUsername;
            String where = "listener " + port + (address == null ? "" : " " + address);
            if (anyTls) {
                if (certFile == null || keyFile == null) {
                    throw new ConfigException(origin, originLine, certFile == null ? "certfile" : "keyfile",
                            where + " has TLS options but no " + (certFile == null ? "certfile" : "keyfile")
                                    + "; TLS needs both certfile and keyfile");
                }
                if (requireCertificate && caFile == null && caPath == null) {
                    throw new ConfigException(origin, originLine, "require_certificate", where
                            + ": require_certificate needs cafile or capath to check client certificates against");
                }
                if ((useIdentityAsUsername || useSubjectAsUsername) && !requireCertificate) {
                    throw new ConfigException(origin, originLine, useIdentityAsUsername ? "use_identity_as_username"
                            : "use_subject_as_username", where + ": the user name can only come from a certificate "
                            + "when require_certificate is true");
                }
                tls = new TlsSettings(certFile, keyFile, caFile, caPath, crlFile, requireCertificate,
                        useIdentityAsUsername, useSubjectAsUsername, tlsVersion, ciphers, ciphersTls13);
            }
            return new ListenerConfig(port, address, protocol, maxConnections, allowAnonymous, tls,
                    auth != null ? auth : fallbackAuth, httpHeaderSize);
        }
    }

    private void apply(String option, String value, Path file) throws BadValue, ConfigException {
        String notYet = NOT_YET_SUPPORTED.get(option);
        if (notYet != null && !isHarmlessDefault(option, value)) {
            throw new BadValue("not supported by this version of Tern: " + notYet);
        }
        switch (option) {
            case "listener" -> listener(value, file);
            case "port" -> defaultPort = port(value);
            case "bind_address" -> defaultBindAddress = nonEmpty(value);
            case "protocol" -> {
                String v = oneOf(nonEmpty(value), ListenerConfig.MQTT, ListenerConfig.WEBSOCKETS);
                if (currentListener != null || !v.equals(ListenerConfig.MQTT)) {
                    listenerDraft(file, option).protocol = v;
                }
            }
            case "socket_domain" -> oneOf(value, "ipv4", "ipv6");
            case "max_connections" -> {
                int max = integer(value, -1, Integer.MAX_VALUE);
                if (currentListener == null) {
                    builder.maxConnections(max);
                } else {
                    currentListener.maxConnections = max;
                }
            }
            case "allow_anonymous" -> {
                boolean v = bool(value);
                if (perListenerSettings && currentListener != null) {
                    currentListener.allowAnonymous = v;
                } else {
                    builder.allowAnonymous(v);
                }
            }
            case "per_listener_settings" -> {
                if (!listeners.isEmpty() || globalAuth.authenticates() || globalAuth.aclFile() != null) {
                    throw new BadValue("must come before any listener and any password_file, acl_file or plugin "
                            + "line, since it decides where those apply");
                }
                perListenerSettings = bool(value);
            }
            case "password_file" -> {
                String path = existingFile(value, file);
                updateAuth(a -> a.withPasswordFile(path));
            }
            case "acl_file" -> {
                String path = existingFile(value, file);
                updateAuth(a -> a.withAclFile(path));
            }
            case "plugin", "auth_plugin" -> {
                String name = nonEmpty(value);
                updateAuth(a -> {
                    List<AuthSettings.PluginConfig> plugins = new ArrayList<>(a.plugins());
                    plugins.add(new AuthSettings.PluginConfig(name, Map.of()));
                    return a.withPlugins(plugins);
                });
            }
            case "certfile" -> listenerDraft(file, option).certFile = existingFile(value, file);
            case "keyfile" -> listenerDraft(file, option).keyFile = existingFile(value, file);
            case "cafile" -> listenerDraft(file, option).caFile = existingFile(value, file);
            case "capath" -> listenerDraft(file, option).caPath = existingDirectory(value, file);
            case "crlfile" -> listenerDraft(file, option).crlFile = existingFile(value, file);
            case "require_certificate" -> listenerDraft(file, option).requireCertificate = bool(value);
            case "use_identity_as_username" -> listenerDraft(file, option).useIdentityAsUsername = bool(value);
            case "use_subject_as_username" -> listenerDraft(file, option).useSubjectAsUsername = bool(value);
            case "tls_version" -> listenerDraft(file, option).tlsVersion = tlsVersion(value);
            case "ciphers" -> listenerDraft(file, option).ciphers = cipherList(value);
            case "ciphers_tls1.3" -> listenerDraft(file, option).ciphersTls13 = cipherList(value);
            case "websockets_headers_size" -> listenerDraft(file, option).httpHeaderSize = integer(value, 1_024,
                    1_048_576);
            case "websockets_log_level" -> integer(value, 0, 65_535); // libwebsockets' log mask; Tern logs via log_type
            case "memory_limit" -> security = security.withMemoryLimit(longValue(value, 0, Long.MAX_VALUE));
            case "max_publish_rate" -> security = security.withMaxPublishRate(integer(value, 0, Integer.MAX_VALUE));
            case "auth_failure_delay" -> security = security.withAuthFailureDelay(
                    Duration.ofMillis(integer(value, 0, 60_000)));
            case "tls_reload_interval" -> security = security.withCertificateCheckPeriod(
                    Duration.ofSeconds(integer(value, 0, 86_400)));
            case "allow_zero_length_clientid" -> builder.allowZeroLengthClientId(bool(value));
            case "auto_id_prefix" -> builder.autoIdPrefix(nonEmpty(value));
            case "max_inflight_messages" -> builder.maxInflightMessages(integer(value, 0, 65_535));
            case "max_queued_messages" -> builder.maxQueuedMessages(integer(value, 0, Integer.MAX_VALUE));
            case "max_queued_bytes" -> builder.maxQueuedBytes(longValue(value, 0, Long.MAX_VALUE));
            case "max_publisher_hold" -> builder.publisherHoldLimit(Duration.ofMillis(integer(value, 0, 60_000)));
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
            case "persistence" -> persistence(builder.persistence().withEnabled(bool(value)));
            case "persistence_location" -> persistence(builder.persistence().withLocation(path(value)));
            case "persistence_sync" -> persistence(builder.persistence().withSync(syncPolicy(value)));
            case "persistence_min_free" -> persistence(builder.persistence()
                    .withMinFreeBytes(longValue(value, 0, Long.MAX_VALUE)));
            case "persistence_file" -> persistence(builder.persistence().withNotice("persistence_file " + nonEmpty(value)
                    + " is not used: Tern's store is the directory persistence_location"));
            case "autosave_interval" -> {
                longValue(value, 0, Integer.MAX_VALUE);
                persistence(builder.persistence().withNotice("autosave_interval is not used: Tern stores every change"
                        + " before acknowledging it (persistence_sync), it never saves snapshots"));
            }
            case "autosave_on_changes" -> {
                bool(value);
                persistence(builder.persistence().withNotice("autosave_on_changes is not used: Tern stores every"
                        + " change before acknowledging it (persistence_sync), it never saves snapshots"));
            }
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
                if (option.startsWith("plugin_opt_") || option.startsWith("auth_opt_")) {
                    pluginOption(option.substring(option.indexOf("_opt_") + 5), value);
                    return;
                }
                throw new BadValue("unknown option (see the configuration reference in README.md)");
            }
        }
    }

    private void listener(String value, Path file) throws BadValue {
        String[] parts = value.split("\\s+");
        if (value.isEmpty() || parts.length > 2) {
            throw new BadValue("expected 'listener PORT [ADDRESS]', got '" + value + "'");
        }
        int port = port(parts[0]);
        String address = parts.length == 2 ? parts[1] : null;
        currentListener = new ListenerDraft(port, address);
        currentListener.origin = file;
        currentListener.originLine = currentLine;
        currentListener.originOption = "listener";
        listeners.add(currentListener);
    }

    /** The listener the per-listener option on this line applies to. */
    private ListenerDraft listenerDraft(Path file, String option) {
        ListenerDraft d = currentListener != null ? currentListener : defaultListener;
        d.touch(file, currentLine, option);
        return d;
    }

    /** Applies a change to the current listener's or the broker-wide authentication settings. */
    private void updateAuth(java.util.function.UnaryOperator<AuthSettings> change) {
        if (perListenerSettings && currentListener != null) {
            currentListener.auth = change.apply(currentListener.auth != null ? currentListener.auth : AuthSettings.NONE);
        } else {
            globalAuth = change.apply(globalAuth);
        }
    }

    private void pluginOption(String key, String value) throws BadValue {
        AuthSettings a = perListenerSettings && currentListener != null && currentListener.auth != null
                ? currentListener.auth : globalAuth;
        if (a.plugins().isEmpty() || key.isEmpty()) {
            throw new BadValue("a plugin option needs a 'plugin NAME' line before it");
        }
        List<AuthSettings.PluginConfig> plugins = new ArrayList<>(a.plugins());
        AuthSettings.PluginConfig last = plugins.remove(plugins.size() - 1);
        Map<String, String> options = new java.util.LinkedHashMap<>(last.options());
        options.put(key, value);
        plugins.add(new AuthSettings.PluginConfig(last.name(), options));
        updateAuth(x -> x.withPlugins(plugins));
    }

    private static String tlsVersion(String value) throws BadValue {
        return switch (value) {
            case "tlsv1.3" -> "TLSv1.3";
            case "tlsv1.2" -> "TLSv1.2";
            case "tlsv1.1", "tlsv1", "tlsv1.0" -> throw new BadValue("'" + value + "' is not supported: Tern speaks "
                    + "TLS 1.2 and 1.3 only; use tlsv1.2 (1.2 and 1.3) or tlsv1.3 (1.3 only)");
            default -> throw new BadValue("expected tlsv1.2 or tlsv1.3, got '" + value + "'");
        };
    }

    private static List<String> cipherList(String value) throws BadValue {
        List<String> out = new ArrayList<>();
        for (String c : nonEmpty(value).split("[:,\\s]+")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.startsWith("!") || c.startsWith("-") || c.startsWith("+") || c.startsWith("@")
                    || c.equals(c.toUpperCase(java.util.Locale.ROOT)) && !c.contains("-") && !c.contains("_")) {
                throw new BadValue("'" + c + "' is an OpenSSL cipher expression; Tern needs a list of cipher suite "
                        + "names, such as ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384");
            }
            out.add(c);
        }
        return out;
    }

    private static String existingFile(String value, Path configFile) throws BadValue {
        Path p = resolve(nonEmpty(value), configFile);
        if (!Files.isRegularFile(p)) {
            throw new BadValue("'" + p + "' does not exist or is not a file");
        }
        if (!Files.isReadable(p)) {
            throw new BadValue("'" + p + "' is not readable");
        }
        return p.toString();
    }

    private static String existingDirectory(String value, Path configFile) throws BadValue {
        Path p = resolve(nonEmpty(value), configFile);
        if (!Files.isDirectory(p)) {
            throw new BadValue("'" + p + "' is not a directory");
        }
        return p.toString();
    }

    /** Mosquitto reads relative paths from its working directory; Tern also, if the file exists there. */
    private static Path resolve(String value, Path configFile) {
        Path p = Path.of(value);
        if (p.isAbsolute() || Files.exists(p) || configFile.getParent() == null) {
            return p;
        }
        return configFile.getParent().resolve(p);
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

    private void persistence(PersistenceSettings p) {
        builder.persistence(p);
    }

    /** {@code always} or {@code interval MS} (1 ms to 60 s). */
    private static SyncPolicy syncPolicy(String value) throws BadValue {
        if (value.equals("always")) {
            return SyncPolicy.ALWAYS;
        }
        String[] parts = value.split("\\s+");
        if (parts.length == 2 && parts[0].equals("interval")) {
            return SyncPolicy.every(Duration.ofMillis(longValue(parts[1], 1, 60_000)));
        }
        throw new BadValue("expected 'always' or 'interval MILLISECONDS', got '" + value + "'");
    }

    /** A path; relative ones are relative to the working directory, as in Mosquitto. */
    private static Path path(String value) throws BadValue {
        try {
            return Path.of(nonEmpty(value));
        } catch (InvalidPathException e) {
            throw new BadValue("not a valid path: '" + value + "'");
        }
    }

    private static boolean isHarmlessDefault(String option, String value) {
        return switch (option) {
            case "check_retain_source" -> value.equals("false");
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
        m.put("psk_file", "TLS-PSK is not supported (the JDK's TLS has no pre-shared keys); use certificates");
        m.put("psk_hint", "TLS-PSK is not supported (the JDK's TLS has no pre-shared keys); use certificates");
        m.put("clientid_prefixes", "clientid_prefixes is not supported; use an ACL pattern with %c instead");
        m.put("tls_engine", "OpenSSL engines are not supported; keys are read from keyfile");
        m.put("tls_keyform", "OpenSSL engines are not supported; keys are read from keyfile (PEM)");
        m.put("http_dir", "serving files over the WebSocket listener's HTTP is not supported");
        m.put("use_username_as_clientid", "use_username_as_clientid is not supported yet");
        for (String o : List.of("connection", "address", "topic", "bridge_protocol_version", "remote_clientid",
                "remote_username", "remote_password")) {
            m.put(o, "bridges are not supported");
        }
        m.put("mount_point", "mount points (mount_point) are not supported");
        m.put("check_retain_source", "Tern does not re-check a retained message's publisher when delivering it; "
                + "set 'check_retain_source false' or remove the line");
        return Map.copyOf(m);
    }
}
