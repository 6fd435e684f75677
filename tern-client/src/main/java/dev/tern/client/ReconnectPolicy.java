package dev.tern.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Automatic reconnection after a lost connection: exponential backoff with jitter. The n-th attempt
 * (n = 0, 1, ...) waits {@code min(maxDelay, initialDelay * multiplier^n)}, then a random part of
 * that delay, up to {@code jitter} (0..1) of it, is taken off so that many clients cut off at once
 * do not come back in lock step. The count restarts after a successful connection.
 *
 * @param initialDelay delay before the first attempt
 * @param maxDelay     upper bound of the delay
 * @param multiplier   growth factor per attempt, at least 1
 * @param jitter       fraction of each delay that is randomised, 0 (none) to 1 (full jitter)
 * @param maxAttempts  attempts before giving up, 0 for no limit
 */
public record ReconnectPolicy(Duration initialDelay, Duration maxDelay, double multiplier, double jitter,
                              int maxAttempts) {
    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay");
        }
        if (multiplier < 1 || jitter < 0 || jitter > 1 || maxAttempts < 0) {
            throw new IllegalArgumentException("need multiplier >= 1, 0 <= jitter <= 1, maxAttempts >= 0");
        }
    }

    /** 1 s doubling up to 2 min, half of each delay randomised, no attempt limit. */
    public static ReconnectPolicy exponential() {
        return new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofMinutes(2), 2.0, 0.5, 0);
    }

    /** Exponential backoff between the two delays, doubling, half randomised. */
    public static ReconnectPolicy exponential(Duration initialDelay, Duration maxDelay) {
        return new ReconnectPolicy(initialDelay, maxDelay, 2.0, 0.5, 0);
    }

    /** This policy with another jitter fraction. */
    public ReconnectPolicy withJitter(double value) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, value, maxAttempts);
    }

    /** This policy with an attempt limit (0: none). */
    public ReconnectPolicy withMaxAttempts(int value) {
        return new ReconnectPolicy(initialDelay, maxDelay, multiplier, jitter, value);
    }

    /** The delay before attempt {@code attempt} (0-based). */
    public Duration delay(int attempt, RandomGenerator random) {
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.min(attempt, 62));
        double capped = Math.min(base, (double) maxDelay.toNanos());
        double randomPart = capped * jitter * random.nextDouble();
        return Duration.ofNanos((long) (capped - randomPart));
    }
}
