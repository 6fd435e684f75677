package dev.tern.broker.connection;

/**
 * {@code max_publish_rate}: a token bucket of one second's worth of PUBLISH packets. When it is
 * empty the connection stops reading until the next token is due, so a fast publisher is slowed by
 * TCP back-pressure instead of losing messages. Event loop only.
 */
final class PublishRateLimiter {
    private final int ratePerSecond;
    private final long nanosPerToken;
    private double tokens;
    private long last;

    PublishRateLimiter(int ratePerSecond, long nowNanos) {
        this.ratePerSecond = ratePerSecond;
        this.nanosPerToken = 1_000_000_000L / ratePerSecond;
        this.tokens = ratePerSecond;
        this.last = nowNanos;
    }

    /**
     * Takes a token for one PUBLISH.
     *
     * @return 0 if reading may go on, else nanoseconds to pause reading
     */
    long acquire(long nowNanos) {
        tokens = Math.min(ratePerSecond, tokens + (nowNanos - last) / (double) nanosPerToken);
        last = nowNanos;
        tokens -= 1;
        if (tokens >= 0) {
            return 0;
        }
        return (long) (-tokens * nanosPerToken) + 1;
    }
}
