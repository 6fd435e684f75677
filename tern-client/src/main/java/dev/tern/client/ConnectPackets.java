package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.UserProperty;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Will;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import org.jspecify.annotations.Nullable;

/**
 * What a connection attempt sends and how its failure reads: the CONNECT packet made from the
 * builder's settings (5.0 properties, the will with its delay), and one-line descriptions of
 * transport failures for {@link MqttClientException}.
 */
final class ConnectPackets {
    private ConnectPackets() {}

    /** The CONNECT for {@code clientId}; {@code clean} is the Clean Start / Clean Session flag. */
    static Connect connect(TernClientBuilder config, String clientId, boolean clean) {
        MqttVersion version = config.version;
        return new Connect(version, clientId, clean, config.keepAliveSeconds, config.username, config.password,
                will(config), version.isV5() ? properties(config) : MqttProperties.EMPTY);
    }

    private static MqttProperties properties(TernClientBuilder config) {
        MqttProperties.Builder p = MqttProperties.builder();
        if (config.sessionExpiryInterval > 0) {
            p.sessionExpiryInterval(config.sessionExpiryInterval);
        }
        if (config.receiveMaximum != 65_535) {
            p.receiveMaximum(config.receiveMaximum);
        }
        if (config.maximumPacketSize > 0) {
            p.maximumPacketSize(config.maximumPacketSize);
        }
        if (config.topicAliasMaximum > 0) {
            p.topicAliasMaximum(config.topicAliasMaximum);
        }
        if (config.requestResponseInformation) {
            p.requestResponseInformation(1);
        }
        if (!config.requestProblemInformation) {
            p.requestProblemInformation(0);
        }
        for (UserProperty u : config.connectUserProperties) {
            p.addUserProperty(u);
        }
        if (config.authenticator != null) {
            p.authenticationMethod(config.authenticator.method());
            p.authenticationData(config.authenticator.initialData());
        }
        return p.build();
    }

    private static @Nullable Will will(TernClientBuilder config) {
        Message w = config.will;
        if (w == null) {
            return null;
        }
        MqttProperties wp = MqttProperties.EMPTY;
        if (config.version.isV5()) {
            MqttProperties.Builder b = w.properties().toBuilder().clearSubscriptionIdentifiers().topicAlias(null);
            if (config.willDelayInterval > 0) {
                b.willDelayInterval(config.willDelayInterval);
            }
            wp = b.build();
        }
        return new Will(w.topic(), w.payloadUnsafe(), w.qos(), w.retain(), wp);
    }

    /** One line on why the transport failed, naming the server. */
    static String describeFailure(TernClientBuilder config, Throwable cause) {
        String server = config.describeServer();
        if (cause instanceof ConnectException) {
            return "cannot connect to " + server + ": connection refused";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "cannot connect to " + server + ": unknown host " + config.host;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "cannot connect to " + server + ": timed out";
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS handshake with " + server + " failed: " + rootMessage(cause);
        }
        if (cause instanceof io.netty.handler.codec.http.websocketx.WebSocketHandshakeException) {
            return "WebSocket handshake with " + server + " failed: " + cause.getMessage();
        }
        if (cause instanceof ClosedChannelException) {
            return "connection to " + server + " closed";
        }
        String m = cause.getMessage();
        return "connection to " + server + " failed: " + (m == null ? cause.toString() : m);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
