package dev.tern.cli.client;

import dev.tern.client.Message;
import dev.tern.client.TernClient;
import dev.tern.client.TernClientBuilder;
import dev.tern.client.TlsConfig;
import dev.tern.client.Transport;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The connection options mosquitto_pub, mosquitto_sub and mosquitto_rr share, with their names and
 * defaults, turned into a {@link TernClientBuilder}.
 */
public final class ClientOptions {
    @Option(names = {"-h", "--host"}, paramLabel = "HOST", description = "Broker host; default localhost.")
    @Nullable String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Broker port; default 1883 (8883 with TLS, 80/443 for ws/wss URLs).")
    @Nullable Integer port;

    @Option(names = {"-L", "--url"}, paramLabel = "URL",
            description = "mqtt(s)://[user[:password]@]host[:port]/topic, or ws(s)://host[:port]/path.")
    @Nullable String url;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name.")
    @Nullable String username;

    @Option(names = {"-P", "--pw"}, paramLabel = "PASSWORD", description = "Password.")
    @Nullable String password;

    @Option(names = {"-i", "--id"}, paramLabel = "ID", description = "Client id; default PROGRAM_PID.")
    @Nullable String id;

    @Option(names = {"-I", "--id-prefix"}, paramLabel = "PREFIX", description = "Client id: PREFIX and the process id.")
    @Nullable String idPrefix;

    @Option(names = {"-k", "--keepalive"}, paramLabel = "SECONDS", description = "Keep-alive; default 60.")
    int keepAlive = 60;

    @Option(names = {"-V", "--protocol-version"}, paramLabel = "VERSION",
            description = "mqttv5, mqttv311 or mqttv31 (also 5, 311, 31); default mqttv311.")
    @Nullable String protocolVersion;

    @Option(names = {"-q", "--qos"}, paramLabel = "QOS", description = "QoS 0, 1 or 2; default 0.")
    int qos;

    @Option(names = {"-c", "--disable-clean-session"}, description = "Persistent session (needs -i).")
    boolean persistent;

    @Option(names = {"-x", "--session-expiry-interval"}, paramLabel = "SECONDS",
            description = "MQTT 5 Session Expiry Interval; -1 never expires. Default -1 with -c, else 0.")
    @Nullable String sessionExpiry;

    @Option(names = {"-d", "--debug"}, description = "Print every packet sent and received.")
    boolean debug;

    @Option(names = "--quiet", description = "Do not print error messages.")
    boolean quiet;

    @Option(names = "--nodelay", description = "Accepted for compatibility: Tern always disables Nagle's algorithm.")
    boolean noDelay;

    @Option(names = {"-D", "--property"}, arity = "0", paramLabel = "CMD ID VALUE",
            parameterConsumer = PropertyOption.Consumer.class,
            description = "MQTT 5 property: COMMAND IDENTIFIER VALUE, e.g. -D publish content-type text/plain.")
    List<PropertyOption> properties = new ArrayList<>();

    @Option(names = "--will-topic", paramLabel = "TOPIC", description = "Will topic.")
    @Nullable String willTopic;

    @Option(names = "--will-payload", paramLabel = "PAYLOAD", description = "Will payload (default empty).")
    @Nullable String willPayload;

    @Option(names = "--will-qos", paramLabel = "QOS", description = "Will QoS.")
    int willQos;

    @Option(names = "--will-retain", description = "Retain the will.")
    boolean willRetain;

    @Option(names = "--cafile", paramLabel = "FILE", description = "PEM file of trusted CA certificates (enables TLS).")
    @Nullable Path caFile;

    @Option(names = "--capath", paramLabel = "DIR", description = "Directory of PEM CA certificates (enables TLS).")
    @Nullable Path caPath;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate.")
    @Nullable Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM (PKCS#8) client private key.")
    @Nullable Path key;

    @Option(names = "--insecure", description = "Do not check that the certificate names the host.")
    boolean insecure;

    @Option(names = "--tls-version", paramLabel = "VERSION", description = "tlsv1.3, tlsv1.2 or tlsv1.1.")
    @Nullable String tlsVersion;

    @Option(names = "--tls-use-os-certs", description = "Trust the JVM's CA certificates (enables TLS).")
    boolean tlsUseOsCerts;

    /** The client id {@link #builder} chose. */
    String clientIdUsed = "";

    /** The topic given in an mqtt:// URL, or null. */
    @Nullable String urlTopic;

    MqttVersion version() {
        if (protocolVersion == null) {
            return MqttVersion.MQTT_3_1_1;
        }
        return switch (protocolVersion.toLowerCase(Locale.ROOT)) {
            case "mqttv5", "5" -> MqttVersion.MQTT_5;
            case "mqttv311", "311" -> MqttVersion.MQTT_3_1_1;
            case "mqttv31", "31" -> MqttVersion.MQTT_3_1;
            default -> throw new UsageException("Invalid protocol version '" + protocolVersion
                    + "', must be mqttv5, mqttv311 or mqttv31.");
        };
    }

    static QoS qos(int value, String what) {
        if (value < 0 || value > 2) {
            throw new UsageException("Invalid " + what + " given: " + value);
        }
        return QoS.of(value);
    }

    QoS qos() {
        return qos(qos, "QoS");
    }

    /** The client builder for these options; {@code program} names the default client id. */
    TernClientBuilder builder(String program) {
        MqttVersion version = version();
        qos();
        if (keepAlive < 5 || keepAlive > 65_535) {
            throw new UsageException("Invalid keepalive given, it must be between 5 and 65535 inclusive.");
        }
        // Like mosquitto's tools, SUBSCRIBE carries only the -D subscription identifiers, so that %S and
        // %j print what the server sends for them, not the library's routing identifier.
        TernClientBuilder b = TernClient.builder().version(version).keepAliveSeconds(keepAlive)
                .ownSubscriptionIdentifiers(false);
        Transport transport = Transport.TCP;
        String h = host != null ? host : "localhost";
        Integer p = port;
        String wsPath = null;
        if (url != null) {
            URI u;
            try {
                u = new URI(url);
            } catch (URISyntaxException e) {
                throw new UsageException("Invalid URL for -L argument specified: " + url);
            }
            if (u.getScheme() == null || u.getHost() == null) {
                throw new UsageException("Invalid URL for -L argument specified: " + url);
            }
            try {
                transport = Transport.ofScheme(u.getScheme());
            } catch (IllegalArgumentException e) {
                throw new UsageException("Unsupported URL scheme '" + u.getScheme()
                        + "': use mqtt://, mqtts://, ws:// or wss://.");
            }
            h = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
            if (u.getPort() > 0) {
                p = u.getPort();
            }
            if (u.getUserInfo() != null) {
                String info = u.getUserInfo();
                int colon = info.indexOf(':');
                username = colon < 0 ? info : info.substring(0, colon);
                if (colon >= 0) {
                    password = info.substring(colon + 1);
                }
            }
            String path = u.getPath() == null ? "" : u.getPath();
            if (transport.isWebSocket()) {
                wsPath = path.isEmpty() ? "/mqtt" : path;
            } else if (path.length() > 1) {
                urlTopic = path.substring(1);
            }
        }
        if (p != null && (p < 1 || p > 65_535)) {
            throw new UsageException("Invalid port given: " + p);
        }
        boolean tls = transport.isSecure() || caFile != null || caPath != null || tlsUseOsCerts;
        if (tls && transport == Transport.TCP) {
            transport = Transport.TLS;
        }
        if (tls && transport == Transport.WEBSOCKET) {
            transport = Transport.SECURE_WEBSOCKET;
        }
        b = b.serverHost(h).transport(transport);
        if (p != null) {
            b = b.serverPort(p);
        } else if (transport == Transport.TLS) {
            b = b.serverPort(8883);
        }
        if (wsPath != null) {
            b = b.webSocketPath(wsPath);
        }
        if (tls) {
            b = b.tls(tlsConfig());
        }
        if (password != null && username == null) {
            throw new UsageException("You must provide a username if you are using a password (-P needs -u).");
        }
        if (username != null) {
            b = b.credentials(username, password);
        }
        String clientId = id;
        if (clientId == null && idPrefix != null) {
            clientId = idPrefix + ProcessHandle.current().pid();
        }
        if (persistent && clientId == null) {
            throw new UsageException("You must provide a client id if you are using the -c option.");
        }
        if (clientId == null) {
            clientId = program + "_" + ProcessHandle.current().pid();
        }
        if (clientId.length() > 23 && version == MqttVersion.MQTT_3_1) {
            throw new UsageException("Client id must be 23 characters or fewer with MQTT 3.1.");
        }
        clientIdUsed = clientId;
        b = b.clientId(clientId).cleanStart(!persistent);
        long expiry = sessionExpiry();
        if (expiry != 0) {
            if (version != MqttVersion.MQTT_5) {
                if (sessionExpiry != null) {
                    throw new UsageException("Session expiry interval (-x) is only valid with MQTT v5.");
                }
            } else {
                b = b.sessionExpiryInterval(expiry);
            }
        }
        if (willTopic != null) {
            Message.Builder w = Message.builder(willTopic).qos(qos(willQos, "will QoS")).retain(willRetain)
                    .payload(willPayload == null ? "" : willPayload);
            MqttProperties.Builder wp = MqttProperties.builder();
            long delay = applyProperties("will", wp);
            w.properties(wp.build());
            try {
                b = b.will(w.build());
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid will topic '" + willTopic + "', does it contain '+' or '#'?");
            }
            if (delay > 0) {
                b = b.willDelayInterval(delay);
            }
        } else if (willPayload != null || willRetain || willQos != 0) {
            throw new UsageException("Will payload, QoS and retain need --will-topic.");
        }
        if (!properties.isEmpty() && version != MqttVersion.MQTT_5) {
            throw new UsageException("Properties (-D) are only valid with MQTT v5.");
        }
        b = applyConnectProperties(b);
        return b;
    }

    private long sessionExpiry() {
        if (sessionExpiry == null) {
            return persistent ? 0xFFFF_FFFFL : 0;
        }
        String s = sessionExpiry.trim();
        if (s.equals("-1") || s.equals("∞")) {
            return 0xFFFF_FFFFL;
        }
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("Invalid session expiry interval given: " + sessionExpiry);
        }
    }

    private TlsConfig tlsConfig() {
        TlsConfig t = TlsConfig.defaults().withCaFile(caFile).withCaPath(caPath).withHostnameVerification(!insecure);
        if ((cert == null) != (key == null)) {
            throw new UsageException("Both certfile and keyfile must be provided if one of them is set.");
        }
        for (Path f : new Path[] {caFile, cert, key}) {
            if (f != null && !Files.isReadable(f)) {
                throw new UsageException("Cannot read " + f + ".");
            }
        }
        if (cert != null && key != null) {
            t = t.withClientCertificate(cert, key, null);
        }
        if (tlsVersion != null) {
            String v = switch (tlsVersion.toLowerCase(Locale.ROOT)) {
                case "tlsv1.3" -> "TLSv1.3";
                case "tlsv1.2" -> "TLSv1.2";
                case "tlsv1.1" -> "TLSv1.1";
                default -> throw new UsageException("Invalid TLS version '" + tlsVersion + "'.");
            };
            t = t.withProtocols(List.of(v));
        }
        return t;
    }

    private TernClientBuilder applyConnectProperties(TernClientBuilder b) {
        for (PropertyOption o : properties) {
            if (!o.command().equals("connect")) {
                continue;
            }
            switch (o.identifier()) {
                case "session-expiry-interval" -> b = b.sessionExpiryInterval(number(o, 0xFFFF_FFFFL));
                case "receive-maximum" -> b = b.receiveMaximum((int) number(o, 65_535));
                case "maximum-packet-size" -> b = b.maximumPacketSize(number(o, 0xFFFF_FFFFL));
                case "topic-alias-maximum" -> b = b.topicAliasMaximum((int) number(o, 65_535));
                case "request-response-information" -> b = b.requestResponseInformation(number(o, 1) == 1);
                case "request-problem-information" -> b = b.requestProblemInformation(number(o, 1) == 1);
                case "user-property" -> b = b.connectUserProperty(o.name(), o.value());
                default -> throw invalidProperty(o);
            }
        }
        return b;
    }

    /** Applies {@code -D COMMAND ...} properties of a message command; returns the will delay, if any. */
    long applyProperties(String command, MqttProperties.Builder p) {
        long willDelay = 0;
        for (PropertyOption o : properties) {
            if (!o.command().equals(command)) {
                continue;
            }
            switch (o.identifier()) {
                case "content-type" -> p.contentType(o.value());
                case "correlation-data" -> p.correlationData(o.value().getBytes(StandardCharsets.UTF_8));
                case "message-expiry-interval" -> p.messageExpiryInterval(number(o, 0xFFFF_FFFFL));
                case "payload-format-indicator" -> p.payloadFormatIndicator((int) number(o, 1));
                case "response-topic" -> p.responseTopic(o.value());
                case "user-property" -> p.addUserProperty(o.name(), o.value());
                case "subscription-identifier" -> {
                    if (!command.equals("subscribe")) {
                        throw invalidProperty(o);
                    }
                    p.addSubscriptionIdentifier((int) number(o, 268_435_455));
                }
                case "session-expiry-interval" -> {
                    if (!command.equals("disconnect")) {
                        throw invalidProperty(o);
                    }
                    p.sessionExpiryInterval(number(o, 0xFFFF_FFFFL));
                }
                case "will-delay-interval" -> {
                    if (!command.equals("will")) {
                        throw invalidProperty(o);
                    }
                    willDelay = number(o, 0xFFFF_FFFFL);
                }
                case "topic-alias" -> {
                    // Checked like mosquitto_pub does (1..65535, never 0 [MQTT-3.3.2-8]), then left to
                    // the client, which assigns topic aliases itself up to the server's maximum.
                    if (!command.equals("publish") || number(o, 65_535) == 0) {
                        throw command.equals("publish") ? new UsageException("Invalid value '" + o.value()
                                + "' for property topic-alias.") : invalidProperty(o);
                    }
                }
                default -> throw invalidProperty(o);
            }
        }
        return willDelay;
    }

    /** The {@code -D COMMAND ...} properties of a packet, checked before anything connects. */
    MqttProperties properties(String command) {
        MqttProperties.Builder p = MqttProperties.builder();
        applyProperties(command, p);
        return p.build();
    }

    void checkPropertyCommands(String... allowed) {
        for (PropertyOption o : properties) {
            if (!List.of(allowed).contains(o.command())) {
                throw new UsageException("Invalid command '" + o.command() + "' for -D; use one of "
                        + String.join(", ", allowed) + ".");
            }
        }
    }

    private static UsageException invalidProperty(PropertyOption o) {
        return new UsageException("Invalid property '" + o.identifier() + "' for command '" + o.command() + "'.");
    }

    private static long number(PropertyOption o, long max) {
        try {
            long v = Long.parseLong(o.value());
            if (v < 0 || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("Invalid value '" + o.value() + "' for property " + o.identifier() + ".");
        }
    }

    /** How long a CLI waits for the connection: like mosquitto, a few seconds. */
    static Duration connectTimeout() {
        return Duration.ofSeconds(10);
    }
}
