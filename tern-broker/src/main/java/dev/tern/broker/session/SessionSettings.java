package dev.tern.broker.session;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The limits and policies every session applies.
 *
 * @param maxInflightMessages        outbound QoS 1/2 messages awaiting acknowledgement per client (0 = 65535)
 * @param maxQueuedMessages          messages waiting behind the in-flight window per client (0 = no limit)
 * @param maxQueuedBytes             payload bytes waiting per client (0 = no limit)
 * @param queueQos0Messages          queue QoS 0 messages for offline persistent sessions
 * @param persistentClientExpiration how long an offline persistent session is kept, or null for ever
 */
public record SessionSettings(int maxInflightMessages, int maxQueuedMessages, long maxQueuedBytes,
                              boolean queueQos0Messages, @Nullable Duration persistentClientExpiration) {
    public SessionSettings {
        if (maxInflightMessages < 0 || maxQueuedMessages < 0 || maxQueuedBytes < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }

    /**
     * The Session Expiry Interval a session gets: the client's, limited by
     * {@code persistent_client_expiration} when that is set.
     */
    public long effectiveExpiry(long requestedSeconds) {
        if (requestedSeconds == 0 || persistentClientExpiration == null) {
            return requestedSeconds;
        }
        return Math.min(requestedSeconds, Math.max(1, persistentClientExpiration.toSeconds()));
    }

    /** The in-flight window size, with 0 meaning the packet identifier space. */
    int effectiveMaxInflight() {
        return maxInflightMessages == 0 ? 65_535 : Math.min(maxInflightMessages, 65_535);
    }
}
