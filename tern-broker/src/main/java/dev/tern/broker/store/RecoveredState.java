package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import java.time.Duration;
import java.util.List;

/**
 * What a store holds at start-up, apart from the queued messages themselves.
 *
 * @param sessions persistent sessions
 * @param retained retained messages, each with one reference that the caller takes over
 * @param queuedMessages total number of queue entries over all sessions
 * @param took     how long reading took
 */
public record RecoveredState(List<RecoveredSession> sessions, List<Message> retained, long queuedMessages,
                             Duration took) {
    public RecoveredState {
        sessions = List.copyOf(sessions);
        retained = List.copyOf(retained);
    }

    /** Nothing stored. */
    public static RecoveredState empty() {
        return new RecoveredState(List.of(), List.of(), 0, Duration.ZERO);
    }
}
