package dev.tern.broker.listener;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How the transport handlers name a connection in their log lines. */
final class Transport {
    private Transport() {}

    static String address(Channel channel) {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }
}
