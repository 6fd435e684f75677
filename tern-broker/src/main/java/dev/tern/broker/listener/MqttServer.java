package dev.tern.broker.listener;

import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import dev.tern.broker.connection.BrokerContext;
import dev.tern.broker.connection.ConnectionPolicy;
import dev.tern.broker.connection.MqttConnection;
import dev.tern.broker.security.AccessControl;
import dev.tern.broker.security.BrokerSecurity;
import dev.tern.broker.security.MemoryGuard;
import dev.tern.broker.security.SecurityFileException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the configured listeners on Netty (epoll where available, else NIO) and builds each
 * connection's pipeline: the connection limit, TLS, HTTP and WebSocket framing for WebSocket
 * listeners, byte counting, the frame decoder and the protocol handler.
 */
public final class MqttServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttServer.class);
    /** Writability bounds per connection: a subscriber that does not read stops being written to. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final BrokerConfig config;
    private final BrokerContext context;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Class<? extends ServerChannel> channelClass;
    private final ChannelGroup clientChannels = new DefaultChannelGroup("tern-clients", GlobalEventExecutor.INSTANCE);
    private final List<Channel> serverChannels = new ArrayList<>();
    private final BrokerSecurity security;
    private final MemoryGuard memory;
    private final Map<ListenerConfig, ServerTls> tls = new LinkedHashMap<>();

    /**
     * @throws SecurityFileException if a listener's certificate, key, CA or CRL file cannot be used
     */
    public MqttServer(BrokerConfig config, BrokerContext context, BrokerSecurity security, MemoryGuard memory)
            throws SecurityFileException {
        this.config = config;
        this.context = context;
        this.security = security;
        this.memory = memory;
        // TLS files first: a bad one stops the broker before any thread is started.
        if (config.effectiveListeners().stream().anyMatch(l -> l.tls() != null)) {
            SslProvider provider = ServerTls.defaultProvider();
            LOG.info("TLS by {}.", provider == SslProvider.OPENSSL ? "BoringSSL (" + OpenSsl.versionString() + ")"
                    : "the JDK (" + System.getProperty("java.vm.vendor") + " " + Runtime.version() + ")");
            for (ListenerConfig l : config.effectiveListeners()) {
                if (l.tls() != null) {
                    tls.put(l, new ServerTls("listener " + l.describe(), l.tls(), provider));
                }
            }
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int threads = config.eventLoopThreads() > 0 ? config.eventLoopThreads()
                : Runtime.getRuntime().availableProcessors();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.workerGroup = new MultiThreadIoEventLoopGroup(threads, io);
        LOG.debug("Using {} transport with {} event loop threads.", epoll ? "epoll" : "NIO", threads);
    }

    /** The event loops that run connections and sessions; also used for timers. */
    public EventLoopGroup workerGroup() {
        return workerGroup;
    }

    /**
     * Binds every listener.
     *
     * @throws BindException if an address cannot be bound (e.g. the port is in use)
     */
    public void start() throws BindException, InterruptedException {
        for (ListenerConfig listener : config.effectiveListeners()) {
            bind(listener);
        }
    }

    private void bind(ListenerConfig listener) throws BindException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                // The kernel's limit (net.core.somaxconn), not 1,024: in a connect storm a full accept
                // queue drops handshakes, and each costs its client a SYN retry a second later.
                .option(ChannelOption.SO_BACKLOG, NetUtil.SOMAXCONN)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(initializer(listener));
        if (ListenerConfig.LOOPBACK.equals(listener.bindAddress())) {
            Channel v4 = bindOne(bootstrap, new InetSocketAddress("127.0.0.1", listener.port()), listener);
            int port = ((InetSocketAddress) v4.localAddress()).getPort();
            try {
                bindOne(bootstrap, new InetSocketAddress("::1", port), listener);
            } catch (BindException e) {
                LOG.debug("IPv6 loopback not available: {}", e.getMessage());
            }
        } else if (listener.bindAddress() == null) {
            bindOne(bootstrap, new InetSocketAddress(listener.port()), listener);
        } else {
            bindOne(bootstrap, new InetSocketAddress(listener.bindAddress(), listener.port()), listener);
        }
    }

    private Channel bindOne(ServerBootstrap bootstrap, InetSocketAddress address, ListenerConfig listener)
            throws BindException, InterruptedException {
        var future = bootstrap.bind(address).await();
        if (!future.isSuccess()) {
            BindException e = new BindException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + ": " + future.cause().getMessage());
            e.initCause(future.cause());
            throw e;
        }
        Channel channel = future.channel();
        serverChannels.add(channel);
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        LOG.info("Opening ipv{} listen socket on port {}{}.", bound.getAddress() instanceof java.net.Inet6Address ? 6 : 4,
                bound.getPort(), address.getAddress() != null && !address.getAddress().isAnyLocalAddress()
                        ? " (" + bound.getAddress().getHostAddress() + ")" : "");
        AccessControl access = security.forListener(listener);
        String where = listener.withPort(bound.getPort()).describe();
        if (!access.allowAnonymous() && !access.authenticates()) {
            LOG.warn("Listener {} refuses anonymous clients (allow_anonymous false) and no password file is "
                    + "configured: clients cannot connect. Set 'allow_anonymous true' to admit them.", where);
        } else {
            LOG.info("Listener {} ({}): {}.", where, listener.scheme(), access.describe());
        }
        return channel;
    }

    private ChannelInitializer<SocketChannel> initializer(ListenerConfig listener) {
        int maxConnections = config.maxConnections(listener);
        ConnectionLimiter limiter = maxConnections < 0 ? null : new ConnectionLimiter(maxConnections,
                context.metrics());
        int maxPacketSize = config.effectiveMaxPacketSize();
        ServerTls serverTls = tls.get(listener);
        long handshakeTimeout = config.connectTimeout().toMillis();
        ConnectionPolicy policy = new ConnectionPolicy(security.forListener(listener), memory,
                config.security().maxPublishRate());
        WebSocketServerProtocolConfig ws = listener.isWebSocket() ? webSocketConfig(maxPacketSize, handshakeTimeout)
                : null;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                clientChannels.add(ch);
                var p = ch.pipeline();
                if (limiter != null) {
                    p.addLast("limit", limiter);
                }
                if (serverTls != null) {
                    p.addLast("tls", serverTls.newHandler(ch.alloc(), handshakeTimeout));
                    p.addLast("tlsErrors", new TlsErrorHandler());
                }
                if (ws != null) {
                    p.addLast("http", new HttpServerCodec(4_096, listener.httpHeaderSize(), 8_192));
                    p.addLast("httpAggregator", new HttpObjectAggregator(listener.httpHeaderSize()));
                    p.addLast("wsGuard", new WebSocketUpgradeGuard());
                    p.addLast("ws", new WebSocketServerProtocolHandler(ws));
                    p.addLast("wsFrames", new WebSocketFrames());
                }
                // Bytes are counted by the decoder and the connection's PacketWriter (no handler of their own).
                p.addLast("decoder", new MqttFrameDecoder(maxPacketSize, context.metrics()));
                p.addLast("mqtt", new MqttConnection(context, listener, policy));
            }
        };
    }

    /** Frames up to the largest packet; the MQTT decoder checks packet sizes itself. */
    private static WebSocketServerProtocolConfig webSocketConfig(int maxPacketSize, long handshakeTimeout) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true) // WebSocketUpgradeGuard already allowed only /mqtt and /
                .subprotocols("mqtt,mqttv3.1")
                .handshakeTimeoutMillis(handshakeTimeout)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxPacketSize)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
    }

    /** Reloads every listener's certificates (SIGHUP); connections keep theirs. */
    public void reloadCertificates() {
        tls.values().forEach(ServerTls::reload);
    }

    /** Reloads the certificates of listeners whose files changed. */
    public void reloadChangedCertificates() {
        tls.values().forEach(ServerTls::reloadIfChanged);
    }

    /** The TLS side of a listener, or null for a plain one. */
    public ServerTls tls(ListenerConfig listener) {
        return tls.get(listener);
    }

    /** Runs {@code action} on the event loop of every connected client's protocol handler. */
    public void forEachConnection(java.util.function.Consumer<MqttConnection> action) {
        for (Channel c : clientChannels) {
            MqttConnection m = c.pipeline().get(MqttConnection.class);
            if (m != null) {
                c.eventLoop().execute(() -> action.accept(m));
            }
        }
    }

    /** Ports actually bound, in listener order (resolves port 0). */
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (Channel c : serverChannels) {
            int port = ((InetSocketAddress) c.localAddress()).getPort();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    /** Number of open client connections. */
    public int openConnections() {
        return clientChannels.size();
    }

    /** Stops accepting, closes every connection and stops the event loops. */
    @Override
    public void close() throws InterruptedException {
        for (Channel c : serverChannels) {
            c.close().await(5, TimeUnit.SECONDS);
        }
        // MQTT 5.0 clients are told why first (DISCONNECT 0x8B); whoever is still open after that closes anyway.
        for (Channel c : clientChannels) {
            c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(MqttConnection.SHUTDOWN));
        }
        clientChannels.newCloseFuture().await(2, TimeUnit.SECONDS);
        clientChannels.close().await(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        bossGroup.terminationFuture().await(10, TimeUnit.SECONDS);
        workerGroup.terminationFuture().await(10, TimeUnit.SECONDS);
    }
}
