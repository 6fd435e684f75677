package dev.tern.codec;

import java.util.Objects;

/**
 * One MQTT 5.0 User Property: a name/value pair of UTF-8 strings. The same name may appear more than
 * once and order is significant (MQTT-3.3.2-18).
 *
 * @param name  the property name
 * @param value the property value
 */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
