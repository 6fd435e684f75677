package dev.tern.broker.routing;

import dev.tern.codec.Topics;
import org.jspecify.annotations.Nullable;

/**
 * A shared subscription's topic filter, {@code $share/{ShareName}/{filter}} (MQTT 5.0 section 4.8.2).
 * The same syntax is honoured for MQTT 3.x clients, as Mosquitto does.
 *
 * @param shareName the group name: at least one character, no {@code /}, {@code +} or {@code #}
 * @param filter    the topic filter the group subscribes to
 */
public record SharedFilter(String shareName, String filter) {
    /** The prefix that makes a filter shared. */
    public static final String PREFIX = "$share/";

    /** True if the filter starts with {@code $share/}; it may still be invalid. */
    public static boolean isShared(String filter) {
        return filter.startsWith(PREFIX);
    }

    /**
     * Checks a {@code $share/...} filter.
     *
     * @return null if valid, else why not
     */
    public static @Nullable String check(String full) {
        int slash = full.indexOf('/', PREFIX.length());
        String shareName = full.substring(PREFIX.length(), slash < 0 ? full.length() : slash);
        if (shareName.isEmpty()) {
            return "the share name of a shared subscription must not be empty [MQTT-4.8.2-1]";
        }
        if (shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
            return "the share name must not contain '+' or '#' [MQTT-4.8.2-2]";
        }
        if (slash < 0) {
            return "the share name must be followed by '/' and a topic filter [MQTT-4.8.2-2]";
        }
        String invalid = Topics.checkFilter(full.substring(slash + 1));
        return invalid == null ? null : "the topic filter of the shared subscription is invalid: " + invalid;
    }

    /** Parses a filter that {@link #check} accepted. */
    public static SharedFilter parse(String full) {
        int slash = full.indexOf('/', PREFIX.length());
        if (!isShared(full) || slash < 0) {
            throw new IllegalArgumentException("not a shared subscription filter: " + full);
        }
        return new SharedFilter(full.substring(PREFIX.length(), slash), full.substring(slash + 1));
    }

    /** The full filter as a client writes it. */
    public String full() {
        return PREFIX + shareName + "/" + filter;
    }
}
