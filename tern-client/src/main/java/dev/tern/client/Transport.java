package dev.tern.client;

/** How the client reaches the server. */
public enum Transport {
    /** MQTT over TCP, {@code mqtt://}, default port 1883. */
    TCP("mqtt", 1883, false, false),
    /** MQTT over TLS, {@code mqtts://}, default port 8883. */
    TLS("mqtts", 8883, true, false),
    /** MQTT over WebSocket, {@code ws://}, default port 80. */
    WEBSOCKET("ws", 80, false, true),
    /** MQTT over WebSocket over TLS, {@code wss://}, default port 443. */
    SECURE_WEBSOCKET("wss", 443, true, true);

    private final String scheme;
    private final int defaultPort;
    private final boolean secure;
    private final boolean webSocket;

    Transport(String scheme, int defaultPort, boolean secure, boolean webSocket) {
        this.scheme = scheme;
        this.defaultPort = defaultPort;
        this.secure = secure;
        this.webSocket = webSocket;
    }

    /** The URI scheme. */
    public String scheme() {
        return scheme;
    }

    /** The port used when none is given. */
    public int defaultPort() {
        return defaultPort;
    }

    /** True if the transport uses TLS. */
    public boolean isSecure() {
        return secure;
    }

    /** True for the WebSocket transports. */
    public boolean isWebSocket() {
        return webSocket;
    }

    /**
     * The transport of a URI scheme: {@code mqtt}, {@code tcp}, {@code mqtts}, {@code ssl}, {@code ws},
     * {@code wss}.
     *
     * @throws IllegalArgumentException for any other scheme
     */
    public static Transport ofScheme(String scheme) {
        return switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "mqtt", "tcp" -> TCP;
            case "mqtts", "ssl", "tls" -> TLS;
            case "ws" -> WEBSOCKET;
            case "wss" -> SECURE_WEBSOCKET;
            default -> throw new IllegalArgumentException("unknown scheme '" + scheme
                    + "': use mqtt://, mqtts://, ws:// or wss://");
        };
    }
}
