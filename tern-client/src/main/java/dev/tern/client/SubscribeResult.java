package dev.tern.client;

import dev.tern.codec.MqttProperties;
import java.util.List;

/**
 * The server's SUBACK: one code per requested filter, in order. Codes 0, 1 and 2 are the granted
 * QoS; 0x80 and above mean the filter was refused (the other filters may still be active).
 *
 * @param subscriptions the requested subscriptions
 * @param reasonCodes   one code per subscription
 * @param properties    MQTT 5.0 SUBACK properties
 */
public record SubscribeResult(List<Subscription> subscriptions, List<Integer> reasonCodes, MqttProperties properties) {
    public SubscribeResult {
        subscriptions = List.copyOf(subscriptions);
        reasonCodes = List.copyOf(reasonCodes);
    }

    /** True if every filter was granted. */
    public boolean allGranted() {
        return reasonCodes.stream().allMatch(c -> c < 0x80);
    }
}
