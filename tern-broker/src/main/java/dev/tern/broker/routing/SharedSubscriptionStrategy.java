package dev.tern.broker.routing;

import java.util.Locale;

/** How a shared subscription group chooses the member that receives a message. */
public enum SharedSubscriptionStrategy {
    /** Members in turn (the default). */
    ROUND_ROBIN,
    /** A member chosen at random for each message. */
    RANDOM,
    /** The same member for as long as it stays connected. */
    STICKY;

    /** The configuration file spelling: {@code round_robin}, {@code random}, {@code sticky}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
