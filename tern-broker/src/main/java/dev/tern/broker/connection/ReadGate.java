package dev.tern.broker.connection;

import java.util.EnumSet;

/**
 * Why a connection is not being read from. Several reasons can hold at once (the client does not
 * read its own acknowledgements, it publishes faster than {@code max_publish_rate}, its CONNECT is
 * being checked, it feeds a session whose queue is above its high-water mark); reading resumes only when none holds. Event loop only.
 */
final class ReadGate {
    enum Reason { CONNECTING, UNWRITABLE, RATE_LIMITED, BACK_PRESSURE }

    private final EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);

    /** @return true if whether the gate is open changed */
    boolean set(Reason reason, boolean holds) {
        boolean wasOpen = reasons.isEmpty();
        if (holds) {
            reasons.add(reason);
        } else {
            reasons.remove(reason);
        }
        return wasOpen != reasons.isEmpty();
    }

    boolean open() {
        return reasons.isEmpty();
    }
}
