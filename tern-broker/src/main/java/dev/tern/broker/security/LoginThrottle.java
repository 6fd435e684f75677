package dev.tern.broker.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing per source address. After the n-th failed login from an address,
 * that address's logins are processed one at a time, spaced {@code initialDelay × 2^(n-1)} apart
 * (at most 64 × {@code initialDelay}), so that opening many connections in parallel does not help.
 * A success does not reset the count (an attacker with one valid account could otherwise clear it
 * between guesses at other accounts); the count is forgotten after {@value #FORGET_AFTER_MAX_DELAYS}
 * maximum delays without a failure. Legitimate clients behind the same address as an attacker wait too:
 * the price of a per-address rule. Thread-safe; holds at most {@value #MAX_ADDRESSES} addresses.
 */
public final class LoginThrottle {
    static final int MAX_ADDRESSES = 65_536;
    static final int FORGET_AFTER_MAX_DELAYS = 40;
    private static final int MAX_DOUBLINGS = 6;

    private final long initialDelayNanos;
    private final LongSupplier nanoTime;
    private final Map<InetAddress, State> states = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, State> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    private static final class State {
        int failures;
        long lastFailure;
        long nextSlot;
    }

    public LoginThrottle(Duration initialDelay) {
        this(initialDelay, System::nanoTime);
    }

    LoginThrottle(Duration initialDelay, LongSupplier nanoTime) {
        this.initialDelayNanos = initialDelay.toNanos();
        this.nanoTime = nanoTime;
    }

    /** True if throttling is switched off ({@code auth_failure_delay 0}). */
    public boolean disabled() {
        return initialDelayNanos == 0;
    }

    /**
     * Reserves the slot for a login attempt from this address.
     *
     * @return nanoseconds to wait before processing it; 0 for an address without recent failures
     */
    public synchronized long reserve(InetAddress address) {
        if (disabled()) {
            return 0;
        }
        State s = states.get(address);
        long now = nanoTime.getAsLong();
        if (s == null || s.failures == 0) {
            return 0;
        }
        if (now - s.lastFailure > maxDelay() * FORGET_AFTER_MAX_DELAYS) {
            states.remove(address);
            return 0;
        }
        long slot = Math.max(now, s.nextSlot);
        s.nextSlot = slot + delayAfter(s.failures);
        return slot - now;
    }

    /** Records a failed login from this address. */
    public synchronized void failed(InetAddress address) {
        if (disabled()) {
            return;
        }
        long now = nanoTime.getAsLong();
        State s = states.computeIfAbsent(address, a -> new State());
        s.failures++;
        s.lastFailure = now;
        s.nextSlot = Math.max(s.nextSlot, now + delayAfter(s.failures));
    }

    /** Failures recorded for an address (tests and logs). */
    public synchronized int failures(InetAddress address) {
        State s = states.get(address);
        return s == null ? 0 : s.failures;
    }

    private long delayAfter(int failures) {
        return initialDelayNanos << Math.min(failures - 1, MAX_DOUBLINGS);
    }

    private long maxDelay() {
        return initialDelayNanos << MAX_DOUBLINGS;
    }
}
