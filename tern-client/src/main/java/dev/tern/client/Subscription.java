package dev.tern.client;

import dev.tern.codec.QoS;
import dev.tern.codec.Topics;
import dev.tern.codec.Utf8;
import java.util.Objects;

/**
 * One topic filter to subscribe to, with its options. The MQTT 5.0 options (No Local, Retain As
 * Published, Retain Handling) are not sent to MQTT 3.x servers.
 *
 * @param filter            topic filter; may contain {@code +} and {@code #}, or be a shared
 *                          subscription {@code $share/GROUP/FILTER}
 * @param qos               maximum QoS to receive
 * @param noLocal           5.0: do not receive this client's own publications
 * @param retainAsPublished 5.0: keep the RETAIN flag of forwarded messages as published
 * @param retainHandling    5.0: when retained messages are sent
 */
public record Subscription(String filter, QoS qos, boolean noLocal, boolean retainAsPublished,
                           RetainHandling retainHandling) {
    /**
     * @throws IllegalArgumentException if the filter is not a valid topic filter [MQTT-4.7.1-1..3,
     *                                  MQTT-4.7.3-1], or is a shared subscription with No Local [MQTT-3.8.3-4]
     */
    public Subscription {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(qos, "qos");
        Objects.requireNonNull(retainHandling, "retainHandling");
        String problem = checkFilter(filter);
        if (problem != null) {
            throw new IllegalArgumentException("invalid topic filter '" + filter + "': " + problem);
        }
        if (noLocal && isShared(filter)) {
            throw new IllegalArgumentException("a shared subscription cannot have No Local [MQTT-3.8.3-4]: " + filter);
        }
    }

    /** A subscription with MQTT 3.x semantics (no 5.0 options). */
    public Subscription(String filter, QoS qos) {
        this(filter, qos, false, false, RetainHandling.SEND);
    }

    /** A subscription at QoS {@code qos} (0, 1 or 2). */
    public static Subscription of(String filter, int qos) {
        return new Subscription(filter, QoS.of(qos));
    }

    /** This subscription with the No Local option set as given. */
    public Subscription withNoLocal(boolean value) {
        return new Subscription(filter, qos, value, retainAsPublished, retainHandling);
    }

    /** This subscription with the Retain As Published option set as given. */
    public Subscription withRetainAsPublished(boolean value) {
        return new Subscription(filter, qos, noLocal, value, retainHandling);
    }

    /** This subscription with the given Retain Handling. */
    public Subscription withRetainHandling(RetainHandling value) {
        return new Subscription(filter, qos, noLocal, retainAsPublished, value);
    }

    /** True for {@code $share/GROUP/FILTER}. */
    public static boolean isShared(String filter) {
        return filter.startsWith("$share/");
    }

    /** The filter that topic names are matched against: without the {@code $share/GROUP/} prefix. */
    public String matchFilter() {
        return matchFilter(filter);
    }

    static String matchFilter(String filter) {
        if (!isShared(filter)) {
            return filter;
        }
        int slash = filter.indexOf('/', "$share/".length());
        return slash < 0 ? filter : filter.substring(slash + 1);
    }

    /** Why the filter is invalid, or null if it is valid. */
    static String checkFilter(String filter) {
        if (!Utf8.isValid(filter)) {
            return "not a valid MQTT UTF-8 string [MQTT-1.5.3-1, MQTT-1.5.3-2]";
        }
        if (filter.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Topics.MAX_LENGTH) {
            return "longer than 65535 bytes";
        }
        if (isShared(filter)) {
            int slash = filter.indexOf('/', "$share/".length());
            String group = slash < 0 ? "" : filter.substring("$share/".length(), slash);
            if (slash < 0 || group.isEmpty() || group.contains("+") || group.contains("#")) {
                return "a shared subscription is $share/GROUP/FILTER with a group name without wildcards [MQTT-4.8.2-1, MQTT-4.8.2-2]";
            }
            return Topics.checkFilter(filter.substring(slash + 1));
        }
        return Topics.checkFilter(filter);
    }
}
