package dev.tern.client;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops clients run on when they are not given their own: one shared group of daemon
 * threads (one per CPU, epoll where available), created on first use, so that an application with
 * many clients does not get many thread pools and a forgotten client never keeps the JVM alive.
 */
final class EventLoops {
    private EventLoops() {}

    private static final class Shared {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("tern-client", true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The shared group. */
    static EventLoopGroup shared() {
        return Shared.GROUP;
    }

    /** The socket channel class that fits the group's I/O type. */
    static Class<? extends Channel> socketChannel(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
            return EpollSocketChannel.class;
        }
        return NioSocketChannel.class;
    }
}
