package dev.tern.cli.client;

import dev.tern.client.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.UserProperty;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The JSON form of a message that mosquitto_sub prints for {@code %j} and {@code %J}: the fields
 * {@code tst, topic, qos, retain, payloadlen, mid} (QoS 1/2), {@code properties} (MQTT 5), and the
 * payload as an escaped string ({@code %j}), embedded JSON ({@code %J}) or null when empty.
 */
final class Json {
    private Json() {}

    private static final DateTimeFormatter TST = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'xx");

    /** The JSON text, or null for {@code %J} when the payload is not JSON. */
    static @Nullable String message(Message m, ZonedDateTime now, boolean escaped, boolean pretty) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"tst", quote(now.format(TST))});
        fields.add(new String[] {"topic", quote(m.topic())});
        fields.add(new String[] {"qos", Integer.toString(m.qos().value())});
        fields.add(new String[] {"retain", m.retain() ? "1" : "0"});
        fields.add(new String[] {"payloadlen", Integer.toString(m.payloadSize())});
        if (m.qos().value() > 0) {
            fields.add(new String[] {"mid", Integer.toString(m.packetId())});
        }
        String props = properties(m.properties(), pretty);
        if (props != null) {
            fields.add(new String[] {"properties", props});
        }
        byte[] payload = m.payload();
        String p;
        if (payload.length == 0) {
            p = "null";
        } else if (escaped) {
            // mosquitto_sub 2.0.11 passes the payload to cJSON as a C string: it ends at the first zero byte.
            int end = 0;
            while (end < payload.length && payload[end] != 0) {
                end++;
            }
            p = quote(new String(payload, 0, end, StandardCharsets.UTF_8));
        } else {
            String text = new String(payload, StandardCharsets.UTF_8).strip();
            if (!MiniJson.isValid(text)) {
                return null;
            }
            p = new String(payload, StandardCharsets.UTF_8);
        }
        fields.add(new String[] {"payload", p});
        return object(fields, pretty, 1);
    }

    private static @Nullable String properties(MqttProperties p, boolean pretty) {
        List<String[]> f = new ArrayList<>();
        if (p.payloadFormatIndicator() != null) {
            f.add(new String[] {"payload-format-indicator", p.payloadFormatIndicator().toString()});
        }
        if (p.messageExpiryInterval() != null) {
            f.add(new String[] {"message-expiry-interval", p.messageExpiryInterval().toString()});
        }
        if (p.contentType() != null) {
            f.add(new String[] {"content-type", quote(p.contentType())});
        }
        if (p.responseTopic() != null) {
            f.add(new String[] {"response-topic", quote(p.responseTopic())});
        }
        if (p.correlationData() != null) {
            f.add(new String[] {"correlation-data", quote(new String(p.correlationData(), StandardCharsets.UTF_8))});
        }
        for (int id : p.subscriptionIdentifiers()) {
            f.add(new String[] {"subscription-identifier", Integer.toString(id)});
        }
        if (!p.userProperties().isEmpty()) {
            List<String[]> u = new ArrayList<>();
            for (UserProperty up : p.userProperties()) {
                u.add(new String[] {up.name(), quote(up.value())});
            }
            f.add(new String[] {"user-properties", object(u, pretty, 3)});
        }
        return f.isEmpty() ? null : object(f, pretty, 2);
    }

    private static String object(List<String[]> fields, boolean pretty, int depth) {
        StringBuilder b = new StringBuilder("{");
        String indent = "\t".repeat(depth);
        for (int i = 0; i < fields.size(); i++) {
            if (pretty) {
                b.append('\n').append(indent);
            }
            b.append(quote(fields.get(i)[0])).append(':').append(pretty ? "\t" : "").append(fields.get(i)[1]);
            if (i < fields.size() - 1) {
                b.append(',');
            }
        }
        if (pretty) {
            b.append('\n').append("\t".repeat(depth - 1));
        }
        return b.append('}').toString();
    }

    /** A JSON string literal, escaped as cJSON does. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 32) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
