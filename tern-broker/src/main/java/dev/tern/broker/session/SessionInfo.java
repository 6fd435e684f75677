package dev.tern.broker.session;

import java.util.List;

/**
 * A consistent snapshot of one session, taken on its owner event loop; for diagnostics, tests and
 * (later) the dashboard.
 *
 * @param clientId         the client identifier
 * @param connected        whether a connection is attached
 * @param persistent       whether the session outlives its connection
 * @param queuedMessages   messages waiting behind the in-flight window
 * @param inflightMessages outbound QoS 1/2 messages awaiting acknowledgement
 * @param subscriptions    the session's topic filters
 * @param expiryInterval   the Session Expiry Interval in seconds ({@link ConnectRequest#NEVER} = never)
 * @param willPending      a will is waiting for its Will Delay Interval
 */
public record SessionInfo(String clientId, boolean connected, boolean persistent, int queuedMessages,
                          int inflightMessages, List<String> subscriptions, long expiryInterval,
                          boolean willPending) {
    public SessionInfo {
        subscriptions = List.copyOf(subscriptions);
    }
}
