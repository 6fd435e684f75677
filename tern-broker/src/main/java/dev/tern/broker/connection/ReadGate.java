package dev.tern.broker.connection;

/**
 * Why a connection is not being read from. Several reasons can hold at once (the client does not
 * read its own acknowledgements, it publishes faster than {@code max_publish_rate}, its CONNECT is
 * being checked, it feeds a session whose queue is above its high-water mark); reading resumes only when none holds. Event loop only.
 */
final class ReadGate {
    enum Reason { CONNECTING, UNWRITABLE, RATE_LIMITED, BACK_PRESSURE }

    /** One bit per {@link Reason} ordinal: an {@code EnumSet} would cost every connection 32 bytes more. */
    private int reasons;

    /** @return true if whether the gate is open changed */
    boolean set(Reason reason, boolean holds) {
        boolean wasOpen = reasons == 0;
        int bit = 1 << reason.ordinal();
        reasons = holds ? reasons | bit : reasons & ~bit;
        return wasOpen != (reasons == 0);
    }

    boolean open() {
        return reasons == 0;
    }
}
