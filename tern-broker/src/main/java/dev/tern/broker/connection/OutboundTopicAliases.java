package dev.tern.broker.connection;

import java.util.HashMap;
import org.jspecify.annotations.Nullable;

/**
 * The Topic Aliases the broker assigns on one connection for the PUBLISHes it sends (MQTT 5.0 section
 * 3.3.2.3.4). The first {@code maximum} distinct topics get an alias: the first PUBLISH of a topic
 * carries the topic and its new alias, later ones an empty topic and the alias. Topics beyond the
 * maximum travel in full. The maximum is never above the client's Topic Alias Maximum (MQTT-3.3.2-11),
 * and mappings die with the connection (MQTT-3.3.2-7). Event loop only.
 */
final class OutboundTopicAliases {
    /** An alias to send: {@code withTopic} is true the first time, when the mapping is set up. */
    record Use(int alias, boolean withTopic) {}

    private final int maximum;
    private final HashMap<String, Integer> aliases = new HashMap<>();

    OutboundTopicAliases(int maximum) {
        this.maximum = maximum;
    }

    /** The alias for a topic, or null to send the topic without one. */
    @Nullable Use aliasFor(String topic) {
        Integer alias = aliases.get(topic);
        if (alias != null) {
            return new Use(alias, false);
        }
        if (aliases.size() >= maximum) {
            return null;
        }
        int next = aliases.size() + 1;
        aliases.put(topic, next);
        return new Use(next, true);
    }
}
