package dev.tern.broker.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Broker-wide security and resource settings.
 *
 * @param perListenerSettings    {@code per_listener_settings}: authentication options after a
 *                               {@code listener} line apply to that listener only
 * @param auth                   the broker-wide {@code password_file}, {@code acl_file} and plug-ins
 * @param authFailureDelay       {@code auth_failure_delay} (Tern): first delay after a failed login from
 *                               an address, doubled per further failure up to 64 times; zero disables it
 * @param memoryLimit            {@code memory_limit}: bytes of message buffers above which new publishes
 *                               are refused; 0 for none, -1 for the default (3/4 of the direct memory limit)
 * @param maxPublishRate         {@code max_publish_rate} (Tern): PUBLISH packets per second a client may
 *                               send before the broker stops reading from it; 0 for no limit
 * @param certificateCheckPeriod {@code tls_reload_interval} (Tern): how often certificate files are
 *                               checked for changes; zero only reloads on SIGHUP
 */
public record SecuritySettings(boolean perListenerSettings, AuthSettings auth, Duration authFailureDelay,
                               long memoryLimit, int maxPublishRate, Duration certificateCheckPeriod) {
    /** Defaults. */
    public static final SecuritySettings DEFAULT = new SecuritySettings(false, AuthSettings.NONE,
            Duration.ofMillis(250), -1, 0, Duration.ofSeconds(10));

    public SecuritySettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(authFailureDelay, "authFailureDelay");
        Objects.requireNonNull(certificateCheckPeriod, "certificateCheckPeriod");
    }

    public SecuritySettings withPerListenerSettings(boolean v) {
        return new SecuritySettings(v, auth, authFailureDelay, memoryLimit, maxPublishRate, certificateCheckPeriod);
    }

    public SecuritySettings withAuth(AuthSettings v) {
        return new SecuritySettings(perListenerSettings, v, authFailureDelay, memoryLimit, maxPublishRate,
                certificateCheckPeriod);
    }

    public SecuritySettings withAuthFailureDelay(Duration v) {
        return new SecuritySettings(perListenerSettings, auth, v, memoryLimit, maxPublishRate, certificateCheckPeriod);
    }

    public SecuritySettings withMemoryLimit(long v) {
        return new SecuritySettings(perListenerSettings, auth, authFailureDelay, v, maxPublishRate,
                certificateCheckPeriod);
    }

    public SecuritySettings withMaxPublishRate(int v) {
        return new SecuritySettings(perListenerSettings, auth, authFailureDelay, memoryLimit, v,
                certificateCheckPeriod);
    }

    public SecuritySettings withCertificateCheckPeriod(Duration v) {
        return new SecuritySettings(perListenerSettings, auth, authFailureDelay, memoryLimit, maxPublishRate, v);
    }
}
