package dev.tern.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginThrottle throttle = new LoginThrottle(Duration.ofMillis(100), now::get);
    private static final long MS = 1_000_000L;

    @Test
    @DisplayName("no delay without failures; after failures, attempts are spaced by a doubling delay")
    void doublingDelay() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        assertThat(throttle.reserve(a)).isZero();
        throttle.failed(a);
        assertThat(throttle.reserve(a)).isEqualTo(100 * MS);
        throttle.failed(a);
        // the second failure pushes the next slot to now + 200 ms
        assertThat(throttle.reserve(a)).isEqualTo(200 * MS);
        assertThat(throttle.reserve(a)).as("parallel attempts queue up behind each other").isEqualTo(400 * MS);
    }

    @Test
    @DisplayName("the delay stops doubling at 64 times the first one; other addresses are not affected")
    void capAndIsolation() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 20; i++) {
            throttle.failed(a);
            now.addAndGet(10_000 * MS);
        }
        assertThat(throttle.reserve(a)).isLessThanOrEqualTo(6_400 * MS);
        assertThat(throttle.reserve(b)).isZero();
    }

    @Test
    @DisplayName("failures are forgotten after a quiet period")
    void forgets() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.1");
        throttle.failed(a);
        now.addAndGet(6_400 * MS * LoginThrottle.FORGET_AFTER_MAX_DELAYS + MS);
        assertThat(throttle.reserve(a)).isZero();
        assertThat(throttle.failures(a)).isZero();
    }

    @Test
    @DisplayName("auth_failure_delay 0 switches it off")
    void disabled() throws Exception {
        LoginThrottle off = new LoginThrottle(Duration.ZERO, now::get);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        off.failed(a);
        assertThat(off.reserve(a)).isZero();
    }
}
