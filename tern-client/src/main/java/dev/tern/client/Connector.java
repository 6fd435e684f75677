package dev.tern.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Opens one transport connection (TCP, TLS, WebSocket, secure WebSocket) on the client's event loop
 * and builds its pipeline. The session hears when the transport is ready for CONNECT (after the TLS
 * and WebSocket handshakes), every decoded packet, and the end of the connection.
 */
final class Connector {
    /** What the session hears from a connection. Called on the event loop. */
    interface Events {
        void transportReady(Channel channel);

        void packet(Channel channel, Object packetOrError);

        void closed(Channel channel, @Nullable Throwable cause);

        void writabilityChanged(Channel channel);
    }

    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    private static final int MAX_WS_FRAME = 1 << 28;

    private final TernClientBuilder config;
    private final EventLoop loop;
    private final @Nullable SslContext sslContext;

    Connector(TernClientBuilder config, EventLoop loop) {
        this.config = config;
        this.loop = loop;
        this.sslContext = config.transport.isSecure() ? sslContext(config.tls == null ? TlsConfig.defaults()
                : config.tls) : null;
    }

    /** Builds the client TLS context from the settings; bad files fail here, at build time. */
    static SslContext sslContext(TlsConfig tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (tls.trustManagerFactory() != null) {
                b.trustManager(tls.trustManagerFactory());
            } else if (tls.caFile() != null || tls.caPath() != null) {
                List<X509Certificate> cas = new ArrayList<>();
                if (tls.caFile() != null) {
                    cas.addAll(readCertificates(tls.caFile()));
                }
                if (tls.caPath() != null) {
                    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tls.caPath())) {
                        for (Path p : dir) {
                            if (Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".key")) {
                                try {
                                    cas.addAll(readCertificates(p));
                                } catch (IOException | GeneralSecurityException e) {
                                    // a directory of CA files may hold other files; only certificates count
                                }
                            }
                        }
                    }
                }
                if (cas.isEmpty()) {
                    throw new IllegalArgumentException("no CA certificate found in "
                            + (tls.caFile() != null ? tls.caFile() : tls.caPath()));
                }
                b.trustManager(cas);
            }
            if (tls.certificateChain() != null && tls.privateKey() != null) {
                b.keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile(), tls.keyPassword());
            }
            if (!tls.protocols().isEmpty()) {
                b.protocols(tls.protocols());
            }
            b.endpointIdentificationAlgorithm(tls.hostnameVerification() ? "HTTPS" : null);
            return b.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS files: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load TLS files: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + file);
            }
            return out;
        }
    }

    /** Starts connecting; the future fails if the TCP connection cannot be made. */
    ChannelFuture connect(Events events, int maximumPacketSize) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(EventLoops.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        Math.max(1, config.connectTimeout.toMillis())))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        pipeline(ch, events, maximumPacketSize);
                    }
                });
        return b.connect(config.host, config.effectivePort());
    }

    private void pipeline(Channel ch, Events events, int maximumPacketSize) {
        ChannelPipeline p = ch.pipeline();
        Transport t = config.transport;
        if (sslContext != null) {
            SslHandler ssl = sslContext.newHandler(ch.alloc(), config.host, config.effectivePort());
            ssl.setHandshakeTimeout(config.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
            p.addLast("tls", ssl);
        }
        if (t.isWebSocket()) {
            URI uri = URI.create((t.isSecure() ? "wss" : "ws") + "://" + hostForUri(config.host) + ":"
                    + config.effectivePort() + config.webSocketPath);
            p.addLast("http", new HttpClientCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(65_536));
            p.addLast("websocket", new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                    uri, WebSocketVersion.V13, "mqtt", false, new DefaultHttpHeaders(), MAX_WS_FRAME),
                    true));
            p.addLast("ws-frames", new WebSocketFrames());
        }
        p.addLast("mqtt-decoder", new ClientFrameDecoder(config.version, maximumPacketSize));
        p.addLast("mqtt-client", new Handler(events, t, sslContext != null));
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Relays channel events to the session. */
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Events events;
        private final Transport transport;
        private final boolean tls;
        private @Nullable Throwable failure;

        Handler(Events events, Transport transport, boolean tls) {
            this.events = events;
            this.transport = transport;
            this.tls = tls;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!tls && !transport.isWebSocket()) {
                events.transportReady(ctx.channel());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent hs) {
                if (!hs.isSuccess()) {
                    failure = hs.cause();
                    ctx.close();
                } else if (!transport.isWebSocket()) {
                    events.transportReady(ctx.channel());
                }
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                events.transportReady(ctx.channel());
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                failure = new IOException("WebSocket handshake timed out");
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            events.packet(ctx.channel(), msg);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            events.writabilityChanged(ctx.channel());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = unwrap(cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            events.closed(ctx.channel(), failure);
            ctx.fireChannelInactive();
        }

        private static Throwable unwrap(Throwable t) {
            Throwable c = t;
            while ((c instanceof io.netty.handler.codec.DecoderException) && c.getCause() != null) {
                c = c.getCause();
            }
            return c;
        }
    }
}
