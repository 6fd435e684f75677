package dev.tern.client;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * MQTT 5.0 topic aliases of one connection, both ways. Outbound: the first topics get aliases 1..the
 * server's Topic Alias Maximum [MQTT-3.3.2-9, MQTT-3.2.2-17], later publishes to them send an empty
 * topic. Inbound: aliases 1..our maximum are accepted [MQTT-3.3.2-10]. Mappings never outlive the
 * connection [MQTT-3.3.2-7].
 */
// event loop only
final class TopicAliases {
    private final Map<String, Integer> outbound = new HashMap<>();
    private final Map<Integer, String> inbound = new HashMap<>();
    private int outboundMaximum;

    /** A new connection: forget both directions; {@code serverMaximum} 0 means no outbound aliases. */
    void reset(int serverMaximum) {
        outbound.clear();
        inbound.clear();
        outboundMaximum = serverMaximum;
    }

    /**
     * The alias for an outbound topic: {@code [alias, known]} where known means the server has the
     * mapping and the topic may be left out; null for none. A new alias counts only once the PUBLISH
     * that announces it is written ({@link #announced}).
     */
    int @Nullable [] forTopic(String topic) {
        if (outboundMaximum == 0) {
            return null;
        }
        Integer alias = outbound.get(topic);
        if (alias != null) {
            return new int[] {alias, 1};
        }
        if (outbound.size() < outboundMaximum) {
            return new int[] {outbound.size() + 1, 0}; // never 0 [MQTT-3.3.2-8]
        }
        return null;
    }

    /** A PUBLISH naming the topic and a new alias was written: the server knows the mapping now. */
    void announced(String topic, int alias) {
        outbound.putIfAbsent(topic, alias);
    }

    /** Records an inbound topic for an alias. */
    void learn(int alias, String topic) {
        inbound.put(alias, topic);
    }

    /** The topic of an inbound alias, or null if the server never set it. */
    @Nullable String resolve(int alias) {
        return inbound.get(alias);
    }
}
