package dev.tern.broker.connection;

import dev.tern.broker.auth.AuthenticationMethods;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Router;
import dev.tern.broker.session.SessionRegistry;
import dev.tern.broker.sys.BrokerMetrics;

/**
 * The broker-wide collaborators a connection works with. A plain holder: each connection handler
 * takes only what it needs from it.
 *
 * @param config      the settings
 * @param router      routing and retained messages
 * @param sessions    the session registry
 * @param metrics     counters for $SYS
 * @param authMethods MQTT 5.0 enhanced authentication methods
 */
public record BrokerContext(BrokerConfig config, Router router, SessionRegistry sessions, BrokerMetrics metrics,
                            AuthenticationMethods authMethods) {

    /** A context without enhanced authentication methods. */
    public BrokerContext(BrokerConfig config, Router router, SessionRegistry sessions, BrokerMetrics metrics) {
        this(config, router, sessions, metrics, AuthenticationMethods.NONE);
    }
}
