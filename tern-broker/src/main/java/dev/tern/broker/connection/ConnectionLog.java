package dev.tern.broker.connection;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection life-cycle log lines worded like Mosquitto's, so that existing log habits (and greps)
 * keep working. Logged under {@code dev.tern.broker.connection}; {@code connection_messages false}
 * turns the informational ones off.
 */
final class ConnectionLog {
    static final Logger LOG = LoggerFactory.getLogger("dev.tern.broker.connection");

    private ConnectionLog() {}

    static String address(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }

    static int localPort(Channel channel) {
        return channel.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }
}
