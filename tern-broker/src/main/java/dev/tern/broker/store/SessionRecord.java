package dev.tern.broker.store;

import dev.tern.codec.MqttVersion;
import java.util.Objects;

/**
 * A persistent session as stored.
 *
 * @param clientId             the client identifier
 * @param sessionKey           the store's number for this incarnation of the session (a clean start
 *                             makes a new one); its queue entries are filed under it
 * @param version              protocol version of the last connection
 * @param expiryIntervalSeconds how long the session outlives its connection (MQTT 5.0 Session Expiry
 *                             Interval; {@link #NEVER_EXPIRES} for ever, as 3.x persistent sessions)
 * @param disconnectedAtMillis wall-clock time the client disconnected, or 0 while it is connected
 */
public record SessionRecord(String clientId, long sessionKey, MqttVersion version, long expiryIntervalSeconds,
                            long disconnectedAtMillis) {
    /** The expiry interval meaning "never" (MQTT 5.0: 0xFFFFFFFF). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    public SessionRecord {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(version, "version");
        if (expiryIntervalSeconds < 0 || expiryIntervalSeconds > NEVER_EXPIRES) {
            throw new IllegalArgumentException("expiry interval out of range: " + expiryIntervalSeconds);
        }
        if (sessionKey <= 0) {
            throw new IllegalArgumentException("session key must be positive: " + sessionKey);
        }
    }

    /** This record for a client that disconnected at the given time. */
    public SessionRecord disconnectedAt(long millis) {
        return new SessionRecord(clientId, sessionKey, version, expiryIntervalSeconds, millis);
    }

    /**
     * When the session expires if its client stays away, or {@link Long#MAX_VALUE} for never. A
     * session that was connected when the broker stopped counts as disconnected at {@code restartMillis}.
     */
    public long expiresAtMillis(long restartMillis) {
        if (expiryIntervalSeconds == NEVER_EXPIRES) {
            return Long.MAX_VALUE;
        }
        long since = disconnectedAtMillis == 0 ? restartMillis : disconnectedAtMillis;
        return since + expiryIntervalSeconds * 1000;
    }
}
