package dev.tern.broker.config;

import java.util.List;
import java.util.Set;

/**
 * Logging as Mosquitto configures it. The broker only logs through SLF4J; the command line applies
 * these settings to Logback.
 *
 * @param types        {@code log_type} values: error, warning, notice, information, debug, subscribe,
 *                     unsubscribe, all, none
 * @param destinations {@code log_dest} values: stdout, stderr, "file PATH", none
 * @param timestamps   {@code log_timestamp}
 */
public record LogSettings(Set<String> types, List<String> destinations, boolean timestamps) {
    /** Mosquitto's defaults. */
    public static final LogSettings DEFAULT = new LogSettings(
            Set.of("error", "warning", "notice", "information"), List.of("stderr"), true);

    public LogSettings {
        types = Set.copyOf(types);
        destinations = List.copyOf(destinations);
    }
}
