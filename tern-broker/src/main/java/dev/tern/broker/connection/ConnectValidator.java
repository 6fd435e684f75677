package dev.tern.broker.connection;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.util.UUID;

/**
 * Decides whether a CONNECT is acceptable before authentication: client identifier rules, the
 * keep-alive limit and the will topic. Produces the CONNACK code in the client's protocol version.
 * Who may connect (credentials, anonymous access) is the listener's
 * {@link dev.tern.broker.security.AccessControl}'s business.
 */
final class ConnectValidator {
    /**
     * The outcome of CONNECT validation.
     *
     * @param reasonCode 0 to accept, else the CONNACK code to refuse with
     * @param clientId   the client id to use (assigned if the client sent none)
     * @param assigned   true if the broker assigned the id
     * @param logReason  why the connection was refused, for the log; empty when accepted
     */
    record Decision(int reasonCode, String clientId, boolean assigned, String logReason) {
        boolean accepted() {
            return reasonCode == 0;
        }
    }

    private final BrokerConfig config;

    ConnectValidator(BrokerConfig config) {
        this.config = config;
    }

    Decision check(Connect c) {
        boolean v5 = c.version().isV5();
        String clientId = c.clientId();
        boolean assigned = false;
        if (clientId.isEmpty()) {
            if (c.version() == MqttVersion.MQTT_3_1) {
                return refuse(c, ReasonCodes.V3_IDENTIFIER_REJECTED, "an empty client id is not allowed in MQTT 3.1");
            }
            if (!v5 && !c.cleanStart()) {
                // MQTT-3.1.3-8: an empty id needs clean session in 3.1.1.
                return refuse(c, ReasonCodes.V3_IDENTIFIER_REJECTED, "empty client id without clean session");
            }
            if (!config.allowZeroLengthClientId()) {
                return refuse(c, v5 ? ReasonCodes.CLIENT_IDENTIFIER_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED,
                        "empty client id and allow_zero_length_clientid is false");
            }
            clientId = config.autoIdPrefix() + UUID.randomUUID();
            assigned = true;
        }
        if (!v5 && c.keepAliveSeconds() > config.maxKeepalive()) {
            // MQTT 3.x cannot tell the client a shorter keep-alive; Mosquitto refuses the same way since
            // 2.0.12 (CVE-2020-13849; 2.0.11 accepts). See docs/interop.md.
            return refuse(c, ReasonCodes.V3_IDENTIFIER_REJECTED,
                    "keep-alive " + c.keepAliveSeconds() + " s exceeds max_keepalive " + config.maxKeepalive());
        }
        Will will = c.will();
        if (will != null && SysTopics.isSysTopic(will.topic())) {
            return refuse(c, v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED,
                    "will topic '" + will.topic() + "' is in $SYS, which clients may not publish to");
        }
        if (v5 && will != null) {
            if (will.qos().value() > config.maxQos()) {
                return refuse(c, ReasonCodes.QOS_NOT_SUPPORTED, "will QoS " + will.qos().value()
                        + " is above the Maximum QoS " + config.maxQos() + " [MQTT-3.2.2-12]");
            }
            if (will.retain() && !config.retainAvailable()) {
                return refuse(c, ReasonCodes.RETAIN_NOT_SUPPORTED,
                        "will retain is set but retain_available is false [MQTT-3.2.2-13]");
            }
            if (config.mqtt5().validatePayloadFormat() && !InboundPublishHandler.isValidPayloadFormat(
                    will.properties(), Unpooled.wrappedBuffer(will.payload()))) {
                return refuse(c, ReasonCodes.PAYLOAD_FORMAT_INVALID,
                        "will Payload Format Indicator is 1 but the will payload is not valid UTF-8");
            }
        }
        return new Decision(0, clientId, assigned, "");
    }

    private static Decision refuse(Connect c, int code, String why) {
        return new Decision(code, c.clientId(), false, why);
    }
}
