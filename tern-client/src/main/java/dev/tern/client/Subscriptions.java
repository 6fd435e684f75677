package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The subscriptions the client holds, by filter, with their handlers: which handlers a message goes
 * to, and what to subscribe again when a server lost the session.
 */
// event loop only
final class Subscriptions {
    private final LinkedHashMap<String, ActiveSubscription> byFilter = new LinkedHashMap<>();

    void add(Subscription s, MqttProperties properties, @Nullable MessageHandler handler) {
        byFilter.put(s.filter(), new ActiveSubscription(s, properties, handler));
    }

    /** The server refused {@code s}: forget it unless it was replaced meanwhile. */
    void refused(Subscription s) {
        ActiveSubscription a = byFilter.get(s.filter());
        if (a != null && a.subscription().equals(s)) {
            byFilter.remove(s.filter());
        }
    }

    void remove(String filter) {
        byFilter.remove(filter);
    }

    /** Forgets the subscriptions of a handler (a closed stream). */
    void forget(MessageHandler handler) {
        byFilter.values().removeIf(a -> a.handler() == handler);
    }

    boolean isEmpty() {
        return byFilter.isEmpty();
    }

    /**
     * The handlers of the subscriptions a message is for, each once: those whose Subscription
     * Identifier the message carries, else those whose filter matches the topic (shared subscriptions
     * by their filter); the default handler for subscriptions without one and for messages no
     * subscription matches.
     */
    List<MessageHandler> targets(String topic, List<Integer> subscriptionIds, @Nullable MessageHandler defaultHandler) {
        List<MessageHandler> targets = new ArrayList<>(2);
        if (!subscriptionIds.isEmpty()) {
            // MQTT 5: the server names the subscriptions the message is for; route by them exactly.
            for (ActiveSubscription a : byFilter.values()) {
                for (int id : a.properties().subscriptionIdentifiers()) {
                    if (subscriptionIds.contains(id)) {
                        MessageHandler h = a.handler() != null ? a.handler() : defaultHandler;
                        if (h != null && !targets.contains(h)) {
                            targets.add(h);
                        }
                    }
                }
            }
            if (!targets.isEmpty()) {
                return targets;
            }
        }
        for (ActiveSubscription a : byFilter.values()) {
            if (Topics.matches(a.subscription().matchFilter(), topic)) {
                MessageHandler h = a.handler() != null ? a.handler() : defaultHandler;
                if (h != null && !targets.contains(h)) {
                    targets.add(h);
                }
            }
        }
        if (targets.isEmpty() && defaultHandler != null) {
            targets.add(defaultHandler);
        }
        return targets;
    }

    /** All subscriptions grouped by their SUBSCRIBE properties, one SUBSCRIBE per group. */
    Map<MqttProperties, List<Subscription>> groups() {
        Map<MqttProperties, List<Subscription>> groups = new LinkedHashMap<>();
        for (ActiveSubscription a : byFilter.values()) {
            groups.computeIfAbsent(a.properties(), k -> new ArrayList<>()).add(a.subscription());
        }
        return groups;
    }
}
