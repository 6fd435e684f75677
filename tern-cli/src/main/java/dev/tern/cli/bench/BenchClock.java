package dev.tern.cli.bench;

import java.time.Instant;

/**
 * Wall-clock nanoseconds since the epoch, read through {@link System#nanoTime()} (cheap, monotonic)
 * from a base taken once, so that a publisher in one process and a subscriber in another on the same
 * machine can compute latencies from the time stamp in the payload.
 */
final class BenchClock {
    private static final long BASE_EPOCH_NANOS;
    private static final long BASE_NANO_TIME;

    static {
        Instant now = Instant.now();
        BASE_NANO_TIME = System.nanoTime();
        BASE_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private BenchClock() {}

    static long epochNanos() {
        return BASE_EPOCH_NANOS + (System.nanoTime() - BASE_NANO_TIME);
    }
}
