package dev.tern.codec;

import static dev.tern.codec.PacketType.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The property table of MQTT 5.0 section 2.2.2.2, transcribed independently of {@link PropertyId}. */
class PropertyIdTest {
    private static final String WILL = "will";

    /** Identifier, then the packets (and "will" for will properties) it may appear in. */
    private static final Map<Integer, Set<Object>> SPEC = Map.ofEntries(
            Map.entry(0x01, Set.of(PUBLISH, WILL)),
            Map.entry(0x02, Set.of(PUBLISH, WILL)),
            Map.entry(0x03, Set.of(PUBLISH, WILL)),
            Map.entry(0x08, Set.of(PUBLISH, WILL)),
            Map.entry(0x09, Set.of(PUBLISH, WILL)),
            Map.entry(0x0B, Set.of(PUBLISH, SUBSCRIBE)),
            Map.entry(0x11, Set.of(CONNECT, CONNACK, DISCONNECT)),
            Map.entry(0x12, Set.of(CONNACK)),
            Map.entry(0x13, Set.of(CONNACK)),
            Map.entry(0x15, Set.of(CONNECT, CONNACK, AUTH)),
            Map.entry(0x16, Set.of(CONNECT, CONNACK, AUTH)),
            Map.entry(0x17, Set.of(CONNECT)),
            Map.entry(0x18, Set.of(WILL)),
            Map.entry(0x19, Set.of(CONNECT)),
            Map.entry(0x1A, Set.of(CONNACK)),
            Map.entry(0x1C, Set.of(CONNACK, DISCONNECT)),
            Map.entry(0x1F, Set.of(CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH)),
            Map.entry(0x21, Set.of(CONNECT, CONNACK)),
            Map.entry(0x22, Set.of(CONNECT, CONNACK)),
            Map.entry(0x23, Set.of(PUBLISH)),
            Map.entry(0x24, Set.of(CONNACK)),
            Map.entry(0x25, Set.of(CONNACK)),
            Map.entry(0x26, Set.of(CONNECT, CONNACK, PUBLISH, WILL, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE,
                    SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH)),
            Map.entry(0x27, Set.of(CONNECT, CONNACK)),
            Map.entry(0x28, Set.of(CONNACK)),
            Map.entry(0x29, Set.of(CONNACK)),
            Map.entry(0x2A, Set.of(CONNACK)));

    /** The packet types that carry properties at all. */
    private static final Set<PacketType> WITH_PROPERTIES = EnumSet.complementOf(EnumSet.of(PINGREQ, PINGRESP));

    @Test
    void everyIdentifierOfTheSpecificationAndNoOther() {
        for (int id = 0; id < 256; id++) {
            PropertyId p = PropertyId.of(id);
            assertThat(p != null).as("identifier 0x%02X defined", id).isEqualTo(SPEC.containsKey(id));
            if (p != null) {
                assertThat(p.id()).isEqualTo(id);
            }
        }
        assertThat(PropertyId.of(-1)).isNull();
        assertThat(PropertyId.values()).hasSize(SPEC.size());
    }

    @Test
    void wherePropertiesMayAppear() {
        for (PropertyId p : PropertyId.values()) {
            Set<Object> allowed = SPEC.get(p.id());
            for (PacketType type : WITH_PROPERTIES) {
                assertThat(p.allowedIn(type)).as("%s in %s", p, type).isEqualTo(allowed.contains(type));
            }
            assertThat(p.allowedInWill()).as("%s in will properties", p).isEqualTo(allowed.contains(WILL));
        }
    }

    @Test
    void onlyUserPropertyAndSubscriptionIdentifierRepeat() {
        for (PropertyId p : PropertyId.values()) {
            assertThat(p.repeatable()).as("%s", p)
                    .isEqualTo(p == PropertyId.USER_PROPERTY || p == PropertyId.SUBSCRIPTION_IDENTIFIER);
        }
    }

    @Test
    void wireTypes() {
        assertThat(PropertyId.SUBSCRIPTION_IDENTIFIER.type()).isEqualTo(PropertyId.Type.VARINT);
        assertThat(PropertyId.USER_PROPERTY.type()).isEqualTo(PropertyId.Type.UTF8_PAIR);
        assertThat(PropertyId.CORRELATION_DATA.type()).isEqualTo(PropertyId.Type.BINARY);
        assertThat(PropertyId.AUTHENTICATION_DATA.type()).isEqualTo(PropertyId.Type.BINARY);
        assertThat(PropertyId.MESSAGE_EXPIRY_INTERVAL.type()).isEqualTo(PropertyId.Type.FOUR_BYTE);
        assertThat(PropertyId.MAXIMUM_PACKET_SIZE.type()).isEqualTo(PropertyId.Type.FOUR_BYTE);
        assertThat(PropertyId.TOPIC_ALIAS.type()).isEqualTo(PropertyId.Type.TWO_BYTE);
        assertThat(PropertyId.RECEIVE_MAXIMUM.type()).isEqualTo(PropertyId.Type.TWO_BYTE);
        assertThat(PropertyId.MAXIMUM_QOS.type()).isEqualTo(PropertyId.Type.BYTE);
        assertThat(PropertyId.REASON_STRING.type()).isEqualTo(PropertyId.Type.UTF8);
    }
}
