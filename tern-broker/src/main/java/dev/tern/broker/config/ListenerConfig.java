package dev.tern.broker.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One listener: where it binds and its own limits.
 *
 * @param port           TCP port; 0 picks a free one (tests)
 * @param bindAddress    address to bind, or null for all addresses; {@value #LOOPBACK} binds 127.0.0.1 and ::1
 * @param protocol       {@code mqtt} (WebSockets come with TLS and WebSocket support)
 * @param maxConnections most simultaneous connections (-1 = no limit), or null for the global setting
 * @param allowAnonymous whether clients without credentials may connect, or null for the default
 */
public record ListenerConfig(int port, @Nullable String bindAddress, String protocol, @Nullable Integer maxConnections,
                             @Nullable Boolean allowAnonymous) {
    /** Binds both loopback addresses, like Mosquitto 2 without a configuration. */
    public static final String LOOPBACK = "localhost";

    public ListenerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        Objects.requireNonNull(protocol, "protocol");
    }

    /** A plain MQTT listener on a port and address, without limits. */
    public static ListenerConfig mqtt(int port, @Nullable String bindAddress) {
        return new ListenerConfig(port, bindAddress, "mqtt", null, null);
    }

    /** The listener with another port. */
    public ListenerConfig withPort(int newPort) {
        return new ListenerConfig(newPort, bindAddress, protocol, maxConnections, allowAnonymous);
    }

    /** "address:port" for logs. */
    public String describe() {
        return (bindAddress == null ? "*" : bindAddress) + ":" + port;
    }
}
