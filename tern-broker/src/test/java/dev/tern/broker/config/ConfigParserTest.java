package dev.tern.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.store.SyncPolicy;
import dev.tern.broker.test.MqttTestClient;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Publish;
import dev.tern.testkit.RawClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * mosquitto.conf compatibility: every option Tern supports parses into the setting it names, the
 * defaults are Mosquitto's, and every unusable line is refused with the file, the line number and the
 * option, so that nothing is silently ignored.
 */
class ConfigParserTest {
    @TempDir
    Path dir;

    private Path conf(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private BrokerConfig parse(String... lines) throws Exception {
        return ConfigParser.parse(conf("tern.conf", lines));
    }

    /** Parses, expects a refusal, and checks that it names file, line and option. */
    private ConfigException refusal(int line, String option, String... lines) throws IOException {
        Path file = conf("bad.conf", lines);
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigParser.parse(file));
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.option()).isEqualTo(option);
        assertThat(e.getMessage()).startsWith(file + ":" + line + ": option '" + option + "': ");
        return e;
    }

    // ---- Defaults --------------------------------------------------------------------------

    @Test
    @DisplayName("An empty file gives Mosquitto's defaults")
    void defaultsAreMosquittos() throws Exception {
        BrokerConfig c = parse("# nothing but a comment");
        assertThat(c).isEqualTo(BrokerConfig.builder().build());
        assertThat(c.listeners()).isEmpty();
        assertThat(c.effectiveListeners()).containsExactly(ListenerConfig.mqtt(1883, ListenerConfig.LOOPBACK));
        assertThat(c.allowAnonymous()).isNull();
        assertThat(c.allowZeroLengthClientId()).isTrue();
        assertThat(c.autoIdPrefix()).isEqualTo("auto-");
        assertThat(c.maxInflightMessages()).isEqualTo(256);
        assertThat(c.maxQueuedMessages()).isEqualTo(1000);
        assertThat(c.maxQueuedBytes()).isZero();
        assertThat(c.publisherHoldLimit()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(c.maxPacketSize()).isZero();
        assertThat(c.effectiveMaxPacketSize()).isEqualTo(268_435_460);
        assertThat(c.messageSizeLimit()).isZero();
        assertThat(c.maxKeepalive()).isEqualTo(65_535);
        assertThat(c.maxQos()).isEqualTo(2);
        assertThat(c.persistentClientExpiration()).isNull();
        assertThat(c.queueQos0Messages()).isFalse();
        assertThat(c.retainAvailable()).isTrue();
        assertThat(c.upgradeOutgoingQos()).isFalse();
        assertThat(c.sysInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.connectionMessages()).isTrue();
        assertThat(c.maxConnections()).isEqualTo(-1);
        assertThat(c.pidFile()).isNull();
        assertThat(c.log().types()).containsExactlyInAnyOrder("error", "warning", "notice", "information");
        assertThat(c.log().destinations()).containsExactly("stderr");
        assertThat(c.log().timestamps()).isTrue();
        // Tern's own settings (no Mosquitto option): CONNECT within 10 s, one I/O thread per processor.
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.eventLoopThreads()).isZero();
        // Deviation: Mosquitto defaults set_tcp_nodelay to false; Tern disables Nagle's algorithm.
        assertThat(c.tcpNoDelay()).isTrue();
    }

    @Test
    @DisplayName("Mosquitto 2: the default listener admits anonymous clients, a configured one does not")
    void anonymousDefaultFollowsMosquitto2() throws Exception {
        BrokerConfig none = parse("");
        assertThat(none.allowAnonymous(none.effectiveListeners().get(0))).isTrue();

        BrokerConfig withListener = parse("listener 1884");
        assertThat(withListener.allowAnonymous(withListener.listeners().get(0))).isFalse();

        BrokerConfig explicit = parse("listener 1884", "allow_anonymous true");
        assertThat(explicit.allowAnonymous(explicit.listeners().get(0))).isTrue();

        BrokerConfig refused = parse("allow_anonymous false");
        assertThat(refused.allowAnonymous(refused.effectiveListeners().get(0))).isFalse();

        // A listener's own setting wins over the global one.
        ListenerConfig own = new ListenerConfig(1885, null, "mqtt", null, Boolean.TRUE);
        assertThat(refused.allowAnonymous(own)).isTrue();
    }

    // ---- Every option ----------------------------------------------------------------------

    @Test
    @DisplayName("Every supported option parses into its setting")
    void everySupportedOptionParses() throws Exception {
        Path pid = dir.resolve("tern.pid");
        Path logFile = dir.resolve("logs/tern.log");
        BrokerConfig c = parse(
                "port 1999",
                "bind_address 127.0.0.2",
                "max_connections 7",
                "socket_domain ipv4",
                "protocol mqtt",
                "allow_anonymous true",
                "allow_zero_length_clientid false",
                "auto_id_prefix tern-",
                "max_inflight_messages 3",
                "max_queued_messages 42",
                "max_queued_bytes 123456789012",
                "max_publisher_hold 0",
                "max_packet_size 4096",
                "message_size_limit 2048",
                "max_keepalive 120",
                "max_qos 1",
                "persistent_client_expiration 2d",
                "queue_qos0_messages true",
                "retain_available false",
                "upgrade_outgoing_qos true",
                "sys_interval 0",
                "connect_timeout 3",
                "connection_messages false",
                "set_tcp_nodelay false",
                "event_loop_threads 2",
                "pid_file " + pid,
                "log_type error",
                "log_type subscribe",
                "log_dest stdout",
                "log_dest file " + logFile,
                "log_timestamp false",
                "log_timestamp_format %Y-%m-%dT%H:%M:%S",
                "user mosquitto",
                "persistence false",
                "per_listener_settings false",
                "require_certificate false",
                "use_identity_as_username false",
                "use_subject_as_username false");
        assertThat(c.listeners()).containsExactly(ListenerConfig.mqtt(1999, "127.0.0.2"));
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.allowZeroLengthClientId()).isFalse();
        assertThat(c.autoIdPrefix()).isEqualTo("tern-");
        assertThat(c.maxInflightMessages()).isEqualTo(3);
        assertThat(c.maxQueuedMessages()).isEqualTo(42);
        assertThat(c.maxQueuedBytes()).isEqualTo(123_456_789_012L);
        assertThat(c.publisherHoldLimit()).isZero();
        assertThat(c.maxPacketSize()).isEqualTo(4096);
        assertThat(c.effectiveMaxPacketSize()).isEqualTo(4096);
        assertThat(c.messageSizeLimit()).isEqualTo(2048);
        assertThat(c.maxKeepalive()).isEqualTo(120);
        assertThat(c.maxQos()).isEqualTo(1);
        assertThat(c.persistentClientExpiration()).isEqualTo(Duration.ofDays(2));
        assertThat(c.queueQos0Messages()).isTrue();
        assertThat(c.retainAvailable()).isFalse();
        assertThat(c.upgradeOutgoingQos()).isTrue();
        assertThat(c.sysInterval()).isZero();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.connectionMessages()).isFalse();
        assertThat(c.tcpNoDelay()).isFalse();
        assertThat(c.eventLoopThreads()).isEqualTo(2);
        assertThat(c.pidFile()).isEqualTo(pid.toString());
        assertThat(c.log().types()).containsExactlyInAnyOrder("error", "subscribe");
        assertThat(c.log().destinations()).containsExactly("stdout", "file " + logFile);
        assertThat(c.log().timestamps()).isFalse();
        // The session layer sees the same limits.
        assertThat(c.sessionSettings().maxInflightMessages()).isEqualTo(3);
        assertThat(c.sessionSettings().maxQueuedMessages()).isEqualTo(42);
        assertThat(c.sessionSettings().maxQueuedBytes()).isEqualTo(123_456_789_012L);
        assertThat(c.sessionSettings().queueQos0Messages()).isTrue();
        assertThat(c.sessionSettings().persistentClientExpiration()).isEqualTo(Duration.ofDays(2));
    }

    @ParameterizedTest(name = "persistent_client_expiration {0}")
    @CsvSource({"30s, 30", "1h, 3600", "14d, 1209600", "2w, 1209600", "1m, 2592000", "1y, 31536000"})
    @DisplayName("persistent_client_expiration units: s, h, d, w, m (30 days), y (365 days)")
    void expirationUnits(String value, long seconds) throws Exception {
        assertThat(parse("persistent_client_expiration " + value).persistentClientExpiration())
                .isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    @DisplayName("persistent_client_expiration never and 0 keep sessions for ever")
    void expirationNever() throws Exception {
        assertThat(parse("persistent_client_expiration never").persistentClientExpiration()).isNull();
        assertThat(parse("persistent_client_expiration 0").persistentClientExpiration()).isNull();
    }

    @Test
    @DisplayName("log_type all and none, log_dest stderr and none")
    void logTypesAndDestinations() throws Exception {
        LogSettings all = parse("log_type all", "log_dest stderr").log();
        assertThat(all.types()).containsExactly("all");
        assertThat(all.destinations()).containsExactly("stderr");
        LogSettings none = parse("log_type none", "log_dest none").log();
        assertThat(none.types()).containsExactly("none");
        assertThat(none.destinations()).containsExactly("none");
        // Destinations alone keep the default types, and the other way round.
        assertThat(parse("log_dest stdout").log().types())
                .containsExactlyInAnyOrderElementsOf(LogSettings.DEFAULT.types());
        assertThat(parse("log_type debug").log().destinations()).containsExactly("stderr");
    }

    // ---- Listeners -------------------------------------------------------------------------

    @Test
    @DisplayName("listener PORT [ADDRESS], in order, after the port/bind_address listener")
    void listeners() throws Exception {
        BrokerConfig c = parse(
                "listener 1884",
                "listener 1885 127.0.0.1",
                "listener 1886 ::1",
                "port 1883");
        assertThat(c.listeners()).containsExactly(
                ListenerConfig.mqtt(1883, null),
                ListenerConfig.mqtt(1884, null),
                ListenerConfig.mqtt(1885, "127.0.0.1"),
                ListenerConfig.mqtt(1886, "::1"));
        assertThat(parse("bind_address 127.0.0.1").listeners())
                .containsExactly(ListenerConfig.mqtt(1883, "127.0.0.1"));
    }

    @Test
    @DisplayName("max_connections after a listener line belongs to that listener; before any, it is the global limit")
    void perListenerMaxConnections() throws Exception {
        BrokerConfig c = parse(
                "max_connections 100",
                "listener 1884",
                "max_connections 2",
                "listener 1885 127.0.0.1",
                "listener 1886",
                "max_connections -1");
        assertThat(c.maxConnections()).isEqualTo(100);
        List<ListenerConfig> l = c.listeners();
        assertThat(l).extracting(ListenerConfig::port).containsExactly(1884, 1885, 1886);
        assertThat(l.get(0).maxConnections()).isEqualTo(2);
        assertThat(l.get(1).maxConnections()).isNull();
        assertThat(l.get(2).maxConnections()).isEqualTo(-1);
        assertThat(c.maxConnections(l.get(0))).isEqualTo(2);
        assertThat(c.maxConnections(l.get(1))).isEqualTo(100);
        assertThat(c.maxConnections(l.get(2))).isEqualTo(-1);
    }

    // ---- Files: comments, include_dir ------------------------------------------------------

    @Test
    @DisplayName("Comments, indented comments, blank lines and surrounding whitespace are ignored; line numbers still count them")
    void commentsAndBlankLines() throws Exception {
        BrokerConfig c = parse(
                "# Tern configuration",
                "",
                "   ",
                "\t# indented comment",
                "  max_qos   1  ",
                "max_inflight_messages\t7");
        assertThat(c.maxQos()).isEqualTo(1);
        assertThat(c.maxInflightMessages()).isEqualTo(7);

        ConfigException e = refusal(6, "max_qos", "# one", "", "#three", "   ", "", "max_qos 9");
        assertThat(e.getMessage()).contains("between 0 and 2").contains("9");
    }

    @Test
    @DisplayName("include_dir reads the directory's *.conf files in name order, relative to the including file")
    void includeDir() throws Exception {
        conf("conf.d/20-limits.conf", "max_qos 1", "max_inflight_messages 9");
        conf("conf.d/10-listener.conf", "listener 1884", "max_inflight_messages 5");
        conf("conf.d/ignored.txt", "this is not read");
        conf("conf.d/nested/99-not-included.conf", "max_qos 0");
        BrokerConfig c = parse("max_queued_messages 7", "include_dir conf.d", "max_keepalive 60");
        assertThat(c.listeners()).containsExactly(ListenerConfig.mqtt(1884, null));
        assertThat(c.maxQos()).isEqualTo(1);
        assertThat(c.maxInflightMessages()).isEqualTo(9); // 20-limits.conf comes after 10-listener.conf
        assertThat(c.maxQueuedMessages()).isEqualTo(7);
        assertThat(c.maxKeepalive()).isEqualTo(60);

        // An absolute path works too.
        assertThat(parse("include_dir " + dir.resolve("conf.d")).maxQos()).isEqualTo(1);
    }

    @Test
    @DisplayName("An error inside an included file names that file and its line")
    void errorInIncludedFileNamesThatFile() throws Exception {
        Path included = conf("inc/50-bad.conf", "# comment", "max_qos 1", "allow_anonymous maybe");
        Path main = conf("main.conf", "include_dir inc");
        assertThatThrownBy(() -> ConfigParser.parse(main))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo(included);
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.option()).isEqualTo("allow_anonymous");
                    assertThat(e.getMessage()).isEqualTo(included
                            + ":3: option 'allow_anonymous': expected true or false, got 'maybe'");
                });
    }

    @Test
    @DisplayName("include_dir that is not a directory, or that includes itself, is refused")
    void includeDirErrors() throws Exception {
        assertThat(refusal(2, "include_dir", "max_qos 1", "include_dir missing.d").getMessage())
                .contains("is not a directory");
        // A directory including itself: refused when nested too deep instead of recursing for ever.
        conf("loop/loop.conf", "include_dir " + dir.resolve("loop"));
        Path main = conf("main.conf", "include_dir loop");
        assertThatThrownBy(() -> ConfigParser.parse(main))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.option()).isEqualTo("include_dir");
                    assertThat(e.file()).isEqualTo(dir.resolve("loop/loop.conf"));
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("nested more than 8 deep");
                });
    }

    @Test
    @DisplayName("A missing file is refused with its name")
    void missingFile() {
        Path missing = dir.resolve("nope.conf");
        assertThatThrownBy(() -> ConfigParser.parse(missing))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo(missing);
                    assertThat(e.line()).isZero();
                    assertThat(e.getMessage()).startsWith(missing + ": cannot read the file");
                });
    }

    @Test
    @DisplayName("A file that is not UTF-8 is refused with its name")
    void notUtf8() throws Exception {
        Path file = dir.resolve("latin1.conf");
        Files.write(file, new byte[] {'u', 's', 'e', 'r', ' ', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> ConfigParser.parse(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage())
                        .isEqualTo(file + ": the file is not valid UTF-8 text"));
    }

    // ---- Errors ----------------------------------------------------------------------------

    @Test
    @DisplayName("An unknown option is refused, not ignored")
    void unknownOption() throws Exception {
        assertThat(refusal(2, "max_inflight", "max_qos 1", "max_inflight 5").getMessage())
                .contains("unknown option");
        assertThat(refusal(1, "Max_Qos", "Max_Qos 1").getMessage()).contains("unknown option");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "allow_anonymous|yes", "allow_anonymous|TRUE", "allow_anonymous|1",
            "allow_zero_length_clientid|no", "queue_qos0_messages|on", "retain_available|off",
            "upgrade_outgoing_qos|y", "connection_messages|False", "set_tcp_nodelay|0", "log_timestamp|nope"})
    @DisplayName("A boolean that is not true or false is refused")
    void badBoolean(String option, String value) throws Exception {
        assertThat(refusal(1, option, option + " " + value).getMessage())
                .endsWith("expected true or false, got '" + value + "'");
    }

    @Test
    @DisplayName("A boolean option without a value is refused")
    void booleanWithoutValue() throws Exception {
        assertThat(refusal(1, "allow_anonymous", "allow_anonymous").getMessage())
                .endsWith("expected true or false, got ''");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "max_qos|3|between 0 and 2", "max_qos|-1|between 0 and 2",
            "max_keepalive|9|between 10 and 65535", "max_keepalive|65536|between 10 and 65535",
            "max_inflight_messages|65536|between 0 and 65535", "max_inflight_messages|-1|between 0 and 65535",
            "max_queued_messages|-1|between 0 and", "max_queued_messages|2147483648|between 0 and",
            "max_queued_bytes|-5|between 0 and",
            "max_publisher_hold|-1|between 0 and 60000", "max_publisher_hold|60001|between 0 and 60000",
            "max_packet_size|19|at least 20", "max_packet_size|268435461|between 0 and 268435460",
            "message_size_limit|268435456|between 0 and 268435455",
            "sys_interval|-1|between 0 and 65535", "connect_timeout|0|between 1 and 3600",
            "connect_timeout|3601|between 1 and 3600", "event_loop_threads|1025|between 0 and 1024",
            "max_connections|-2|between -1 and", "port|65536|between 0 and 65535",
            "listener|70000|between 0 and 65535", "port|-1|between 0 and 65535",
            "max_qos|one|expected a whole number, got 'one'", "max_queued_messages|1e3|expected a whole number",
            "sys_interval|10s|expected a whole number", "listener|abc|expected a whole number"})
    @DisplayName("Numbers out of range or not numbers are refused with the allowed range")
    void badNumbers(String option, String value, String message) throws Exception {
        assertThat(refusal(2, option, "# numbers", option + " " + value).getMessage()).contains(message);
    }

    @ParameterizedTest(name = "persistent_client_expiration {0}")
    @CsvSource(delimiter = '|', value = {"14|unknown unit '4'", "14x|unknown unit 'x'",
            "d|expected a number followed by", "-1d|must be positive", "0d|must be positive",
            "1.5d|expected a number followed by"})
    @DisplayName("persistent_client_expiration with a bad value is refused")
    void badExpiration(String value, String message) throws Exception {
        assertThat(refusal(1, "persistent_client_expiration", "persistent_client_expiration " + value).getMessage())
                .contains(message);
    }

    @Test
    @DisplayName("listener needs a port, and at most an address after it")
    void listenerWithoutPort() throws Exception {
        assertThat(refusal(3, "listener", "listener 1884", "max_connections 5", "listener").getMessage())
                .contains("expected 'listener PORT [ADDRESS]'");
        assertThat(refusal(1, "listener", "listener 1884 127.0.0.1 extra").getMessage())
                .contains("expected 'listener PORT [ADDRESS]'");
    }

    @Test
    @DisplayName("Options without a required value are refused")
    void missingValues() throws Exception {
        for (String option : List.of("auto_id_prefix", "bind_address", "pid_file", "include_dir", "user",
                "log_timestamp_format", "max_qos", "protocol")) {
            assertThat(refusal(1, option, option).getMessage()).as(option)
                    .endsWith("a value is required");
        }
    }

    @Test
    @DisplayName("Unsupported values of supported options are refused with what is supported")
    void unsupportedValues() throws Exception {
        assertThat(refusal(1, "protocol", "protocol http").getMessage()).contains("mqtt, websockets");
        assertThat(refusal(2, "tls_version", "listener 1", "tls_version tlsv1.1").getMessage()).contains("is not supported");
        assertThat(refusal(1, "socket_domain", "socket_domain ipx").getMessage()).contains("ipv4, ipv6");
        assertThat(refusal(1, "log_dest", "log_dest syslog").getMessage()).contains("'syslog' is not supported");
        assertThat(refusal(1, "log_dest", "log_dest topic").getMessage()).contains("'topic' is not supported");
        assertThat(refusal(1, "log_dest", "log_dest file").getMessage()).contains("needs a path");
        assertThat(refusal(1, "log_dest", "log_dest printer").getMessage()).contains("expected stdout, stderr");
        assertThat(refusal(1, "log_type", "log_type verbose").getMessage()).contains("expected one of error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "psk_file /etc/mosquitto/psk|TLS-PSK is not supported",
            "http_dir /var/www|serving files",
            "tls_engine pkcs11|OpenSSL engines",
            "check_retain_source true|check_retain_source false",
            "connection bridge-1|bridges are not supported",
            "mount_point tenant/|mount points"})
    @DisplayName("Options of features still to come are refused with a clear message")
    void notYetSupported(String line, String message) throws Exception {
        String option = line.substring(0, line.indexOf(' '));
        ConfigException e = refusal(2, option, "max_qos 2", line);
        assertThat(e.getMessage()).contains("not supported by this version of Tern").contains(message);
    }

    @Test
    @DisplayName("persistence options: on by default for the broker, off for an embedded one, Mosquitto's names")
    void persistence() throws Exception {
        PersistenceSettings defaults = parse("max_qos 1").persistence();
        assertThat(defaults.enabled(false)).isTrue();
        assertThat(defaults.enabled(true)).isFalse();
        assertThat(defaults.location()).isEqualTo(Path.of("data"));
        assertThat(defaults.sync()).isEqualTo(SyncPolicy.ALWAYS);

        PersistenceSettings p = parse("persistence true", "persistence_location /var/lib/tern/",
                "persistence_sync interval 250", "persistence_min_free 1048576").persistence();
        assertThat(p.enabled(true)).isTrue();
        assertThat(p.location()).isEqualTo(Path.of("/var/lib/tern"));
        assertThat(p.sync()).isEqualTo(SyncPolicy.every(Duration.ofMillis(250)));
        assertThat(p.minFreeBytes()).isEqualTo(1 << 20);
        assertThat(p.notices()).isEmpty();

        assertThat(parse("persistence false").persistence().enabled(false)).isFalse();
        assertThat(parse("persistence_sync always").persistence().sync().always()).isTrue();
    }

    @Test
    @DisplayName("Mosquitto's persistence_file and autosave options are accepted with a notice, not silently")
    void mosquittoPersistenceOptions() throws Exception {
        PersistenceSettings p = parse("persistence_file mosquitto.db", "autosave_interval 1800",
                "autosave_on_changes false").persistence();
        assertThat(p.notices()).hasSize(3);
        assertThat(p.notices().get(0)).contains("persistence_file mosquitto.db is not used");
        assertThat(p.notices().get(1)).contains("autosave_interval is not used");
        assertThat(p.notices().get(2)).contains("autosave_on_changes is not used");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "persistence yes|expected true or false",
            "persistence_sync sometimes|expected 'always' or 'interval MILLISECONDS'",
            "persistence_sync interval|expected 'always' or 'interval MILLISECONDS'",
            "persistence_sync interval 0|between 1 and 60000",
            "persistence_sync interval 60001|between 1 and 60000",
            "persistence_location|a value is required",
            "persistence_min_free -1|between 0",
            "autosave_interval soon|expected a whole number"})
    @DisplayName("Bad persistence values name the file, line and option")
    void badPersistenceValues(String line, String message) throws Exception {
        String option = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
        assertThat(refusal(2, option, "max_qos 2", line).getMessage()).contains(message);
    }

    @Test
    @DisplayName("MQTT 5.0 options: topic alias maximums, shared subscription strategy, response information, "
            + "payload format check and the availability switches")
    void mqtt5Options() throws Exception {
        BrokerConfig c = parse("max_topic_alias 0", "max_outgoing_topic_alias 25",
                "shared_subscription_strategy sticky", "response_information_prefix replies/",
                "validate_payload_format false", "wildcard_subscriptions false", "subscription_identifiers false",
                "shared_subscriptions false");
        Mqtt5Config m = c.mqtt5();
        assertThat(m.maxTopicAlias()).isZero();
        assertThat(m.maxOutgoingTopicAlias()).isEqualTo(25);
        assertThat(m.sharedSubscriptionStrategy()).isEqualTo(dev.tern.broker.routing.SharedSubscriptionStrategy.STICKY);
        assertThat(m.responseInformationPrefix()).isEqualTo("replies/");
        assertThat(m.validatePayloadFormat()).isFalse();
        assertThat(m.wildcardSubscriptions()).isFalse();
        assertThat(m.subscriptionIdentifiers()).isFalse();
        assertThat(m.sharedSubscriptions()).isFalse();
        assertThat(parse("max_qos 2").mqtt5()).isEqualTo(Mqtt5Config.DEFAULT);
        assertThat(parse("response_information_prefix \"\"").mqtt5().responseInformationPrefix()).isEmpty();
        assertThat(parse("max_inflight_messages 0").receiveMaximum()).isEqualTo(65_535);
        assertThat(parse("max_inflight_messages 7").receiveMaximum()).isEqualTo(7);
    }

    @Test
    @DisplayName("bad values of the MQTT 5.0 options name the option")
    void badMqtt5Values() throws Exception {
        assertThat(refusal(1, "max_topic_alias", "max_topic_alias 65536").getMessage())
                .contains("between 0 and 65535");
        assertThat(refusal(1, "shared_subscription_strategy", "shared_subscription_strategy fair").getMessage())
                .contains("expected one of round_robin, random, sticky");
        assertThat(refusal(1, "shared_subscriptions", "shared_subscriptions maybe").getMessage())
                .contains("expected true or false");
    }

    @Test
    @DisplayName("persistence false (the value that changes nothing) is accepted")
    void persistenceFalseIsAccepted() throws Exception {
        assertThat(parse("persistence false", "max_qos 1").maxQos()).isEqualTo(1);
    }

    @Test
    @DisplayName("parse(String, origin) reports errors against the origin")
    void parseTextWithOrigin() {
        Path origin = Path.of("/etc/tern/tern.conf");
        assertThatThrownBy(() -> ConfigParser.parse("max_qos 1\nmax_qos 5\n", origin))
                .isInstanceOfSatisfying(ConfigException.class, e ->
                        assertThat(e.getMessage()).startsWith("/etc/tern/tern.conf:2: option 'max_qos': "));
    }

    // ---- Parsed settings in a running broker -----------------------------------------------

    @Nested
    class InARunningBroker {
        private TernBroker start(String... lines) throws Exception {
            return TernBroker.builder().config(parse(lines)).build().start();
        }

        @Test
        @DisplayName("max_connections 2 on a listener refuses the third concurrent connection")
        void maxConnectionsRefusesTheThird() throws Exception {
            try (TernBroker broker = start("sys_interval 0", "allow_anonymous true", "listener 0 127.0.0.1",
                    "max_connections 2");
                 MqttTestClient first = MqttTestClient.connected(broker.port(), "first");
                 MqttTestClient second = MqttTestClient.connected(broker.port(), "second")) {
                try (RawClient third = RawClient.connect(broker.port())) {
                    assertThat(third.awaitClosed(Duration.ofSeconds(5))).as("third connection closed").isTrue();
                }
                assertThat(broker.metrics().connectionsRefused()).isEqualTo(1);
                // The two admitted connections still work.
                second.subscribe("mc/t", QoS.AT_LEAST_ONCE);
                first.publish("mc/t", "ok", QoS.AT_LEAST_ONCE, false);
                assertThat(MqttTestClient.text(second.expect(Publish.class))).isEqualTo("ok");

                // A freed slot admits a new client.
                first.disconnect();
                await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connectedClients() == 1);
                try (MqttTestClient fourth = MqttTestClient.connected(broker.port(), "fourth")) {
                    assertThat(broker.metrics().connectedClients()).isEqualTo(2);
                }
            }
        }

        @Test
        @DisplayName("[MQTT-3.2.2-5] allow_anonymous false: CONNECT without credentials gets CONNACK 0x05 (3.1.1)")
        void allowAnonymousFalseRefusesWithNotAuthorized() throws Exception {
            try (TernBroker broker = start("sys_interval 0", "listener 0 127.0.0.1", "allow_anonymous false");
                 MqttTestClient client = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1)) {
                ConnAck ack = client.connect("anon", true, 60, null);
                assertThat(ack.reasonCode()).isEqualTo(0x05);
                assertThat(ack.sessionPresent()).isFalse();
                assertThat(client.raw().awaitClosed(Duration.ofSeconds(5))).isTrue();
                assertThat(broker.metrics().connectedClients()).isZero();
            }
        }

        @Test
        @DisplayName("Mosquitto 2: a configured listener without allow_anonymous refuses anonymous clients (0x05)")
        void configuredListenerRefusesAnonymousByDefault() throws Exception {
            try (TernBroker broker = start("sys_interval 0", "listener 0 127.0.0.1");
                 MqttTestClient client = MqttTestClient.open(broker.port(), MqttVersion.MQTT_3_1_1)) {
                assertThat(client.connect("anon", true, 60, null).reasonCode()).isEqualTo(0x05);
                assertThat(client.raw().awaitClosed(Duration.ofSeconds(5))).isTrue();
            }
        }

        @Test
        @DisplayName("allow_anonymous true on a configured listener admits anonymous clients")
        void allowAnonymousTrueAdmits() throws Exception {
            try (TernBroker broker = start("sys_interval 0", "listener 0 127.0.0.1", "allow_anonymous true");
                 MqttTestClient client = MqttTestClient.connected(broker.port(), "anon")) {
                assertThat(broker.metrics().connectedClients()).isEqualTo(1);
            }
        }
    }
}
