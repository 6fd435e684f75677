package dev.tern.cli.bench;

/** What one benchmark connection does. */
enum Role {
    /** Publishes to its topic. */
    PUBLISHER,
    /** Subscribes to its filter and measures what arrives. */
    SUBSCRIBER,
    /** Connects and stays idle (keep-alive only). */
    IDLE
}
