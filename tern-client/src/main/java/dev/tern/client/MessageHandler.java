package dev.tern.client;

/**
 * Receives messages of a subscription. Runs on the client's event loop unless the client was built
 * with a {@linkplain TernClientBuilder#callbackExecutor callback executor}; either way calls for one
 * client are made one at a time, in the order the messages arrived. Do not block in it on the event
 * loop: hand slow work to another thread (and use manual acknowledgement if the message must not be
 * acknowledged before that work is done).
 */
@FunctionalInterface
public interface MessageHandler {
    /** Called once per received message that matches the subscription. */
    void onMessage(Message message);
}
