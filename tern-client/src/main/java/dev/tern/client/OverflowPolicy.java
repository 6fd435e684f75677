package dev.tern.client;

/** What happens to a publish when the client's bounded queue of unsent messages is full. */
public enum OverflowPolicy {
    /** The new publish fails at once with an {@link MqttClientException} (the default). */
    FAIL_NEW,
    /** The oldest queued publish is dropped (its future fails) to make room for the new one. */
    DROP_OLDEST
}
