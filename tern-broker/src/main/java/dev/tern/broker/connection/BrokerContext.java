package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.routing.Router;
import dev.tern.broker.session.SessionRegistry;
import dev.tern.broker.sys.BrokerMetrics;

/**
 * The broker-wide collaborators a connection works with. A plain holder: each connection handler
 * takes only what it needs from it.
 *
 * @param config   the settings
 * @param router   routing and retained messages
 * @param sessions the session registry
 * @param metrics  counters for $SYS
 */
public record BrokerContext(BrokerConfig config, Router router, SessionRegistry sessions, BrokerMetrics metrics) {}
