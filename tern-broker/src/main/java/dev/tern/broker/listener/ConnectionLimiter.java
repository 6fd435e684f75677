package dev.tern.broker.listener;

import dev.tern.broker.sys.BrokerMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Enforces one listener's {@code max_connections}: connections beyond it are closed at once. */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tern.broker.connection");

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final BrokerMetrics metrics;

    ConnectionLimiter(int maxConnections, BrokerMetrics metrics) {
        this.maxConnections = maxConnections;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            metrics.connectionRefused();
            LOG.warn("Client connection from {} denied: max_connections ({}) exceeded.",
                    ctx.channel().remoteAddress(), maxConnections);
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
