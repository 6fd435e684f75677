package dev.tern.broker.store;

import java.time.Duration;
import java.util.Objects;

/**
 * When a commit counts as durable ({@code persistence_sync}).
 *
 * @param interval zero for {@code always}: every commit is on stable storage (fsync) before it
 *                 completes; otherwise commits complete once written to the operating system, which
 *                 survives a crash of the broker process, and the log is synced every interval, which
 *                 bounds what a power loss can take
 */
public record SyncPolicy(Duration interval) {
    /** fsync before every acknowledgement (the default). */
    public static final SyncPolicy ALWAYS = new SyncPolicy(Duration.ZERO);

    public SyncPolicy {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("negative sync interval");
        }
    }

    /** Sync every interval. */
    public static SyncPolicy every(Duration interval) {
        if (interval.isZero()) {
            throw new IllegalArgumentException("sync interval must be positive");
        }
        return new SyncPolicy(interval);
    }

    /** True for {@code always}. */
    public boolean always() {
        return interval.isZero();
    }

    @Override
    public String toString() {
        return always() ? "always" : "interval " + interval.toMillis();
    }
}
