package dev.tern.client;

import dev.tern.codec.MqttProperties;
import java.util.List;

/**
 * The server's UNSUBACK.
 *
 * @param filters     the filters given
 * @param reasonCodes MQTT 5.0 reason codes, one per filter; empty for MQTT 3.x, which has none
 * @param properties  MQTT 5.0 UNSUBACK properties
 */
public record UnsubscribeResult(List<String> filters, List<Integer> reasonCodes, MqttProperties properties) {
    public UnsubscribeResult {
        filters = List.copyOf(filters);
        reasonCodes = List.copyOf(reasonCodes);
    }
}
