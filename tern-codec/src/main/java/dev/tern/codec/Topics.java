package dev.tern.codec;

import org.jspecify.annotations.Nullable;

/**
 * Syntax of topic names and topic filters (MQTT 3.1.1 section 4.7, MQTT 5.0 section 4.7), shared by
 * the broker and clients so that both sides apply the same rules.
 */
public final class Topics {
    /** Longest string the wire format can carry. */
    public static final int MAX_LENGTH = 65_535;

    private Topics() {}

    /** True if the name has a wildcard character, which topic names must not (MQTT-3.3.2-2). */
    public static boolean hasWildcard(String topicName) {
        return topicName.indexOf('+') >= 0 || topicName.indexOf('#') >= 0;
    }

    /**
     * Checks a topic filter: not empty (MQTT-4.7.3-1), {@code #} only as the whole last level
     * (MQTT-4.7.1-2), {@code +} only as a whole level (MQTT-4.7.1-3).
     *
     * @return null if valid, else why not
     */
    public static @Nullable String checkFilter(String filter) {
        if (filter.isEmpty()) {
            return "topic filter is empty [MQTT-4.7.3-1]";
        }
        int len = filter.length();
        for (int i = 0; i < len; i++) {
            char c = filter.charAt(i);
            if (c == '#') {
                boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
                if (!levelStart || i != len - 1) {
                    return "'#' must be the last character and fill its level [MQTT-4.7.1-2]";
                }
            } else if (c == '+') {
                boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
                boolean levelEnd = i == len - 1 || filter.charAt(i + 1) == '/';
                if (!levelStart || !levelEnd) {
                    return "'+' must fill its level [MQTT-4.7.1-3]";
                }
            }
        }
        return null;
    }

    /** True if the filter contains {@code +} or {@code #}. */
    public static boolean isWildcardFilter(String filter) {
        return hasWildcard(filter);
    }

    /**
     * True if a topic name matches a topic filter, including the rule that filters starting with a
     * wildcard do not match names starting with {@code $} (MQTT-4.7.2-1).
     */
    public static boolean matches(String filter, String topicName) {
        if (!topicName.isEmpty() && topicName.charAt(0) == '$'
                && !filter.isEmpty() && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fl = filter.length();
        int tl = topicName.length();
        while (true) {
            int fEnd = filter.indexOf('/', f);
            if (fEnd < 0) {
                fEnd = fl;
            }
            String level = filter.substring(f, fEnd);
            if (level.equals("#")) {
                return true;
            }
            if (t > tl) {
                return false;
            }
            int tEnd = topicName.indexOf('/', t);
            if (tEnd < 0) {
                tEnd = tl;
            }
            if (!level.equals("+") && !level.regionMatches(0, topicName, t, tEnd - t)
                    || !level.equals("+") && level.length() != tEnd - t) {
                return false;
            }
            boolean filterDone = fEnd == fl;
            boolean topicDone = tEnd == tl;
            if (filterDone && topicDone) {
                return true;
            }
            if (filterDone) {
                return false;
            }
            if (topicDone) {
                // "a/#" matches "a": the remaining filter must be exactly "#".
                return filter.substring(fEnd + 1).equals("#");
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }
}
