package dev.tern.broker.tls;

import dev.tern.broker.config.TlsSettings;
import dev.tern.broker.listener.ServerTls;
import dev.tern.testkit.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: a measurement behind the choice of TLS library (docs/architecture.md, "TLS"). Runs a
 * Netty server with {@link ServerTls} on the JDK's SSLEngine and on BoringSSL (netty-tcnative) and
 * measures full TLS 1.3 handshakes per second and bulk throughput, with the same BoringSSL client.
 * Reports the server process's CPU time per handshake and per MB too, since client and server share
 * the machine's cores.
 *
 * <pre>./build -- -q -pl tern-broker -am test-compile exec... or run main() from the IDE</pre>
 */
public final class TlsProviderBenchmark {
    private TlsProviderBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("tls-bench");
        TestPki pki = TestPki.create(dir, "bench");
        TestPki.Issued ec = pki.server("ec");
        TestPki.Issued rsa = pki.rsaServerPkcs1("rsa");
        System.out.println("BoringSSL available: " + OpenSsl.isAvailable() + " (" + OpenSsl.versionString() + ")");
        for (TestPki.Issued cert : new TestPki.Issued[] {ec, rsa}) {
            for (SslProvider provider : new SslProvider[] {SslProvider.JDK, SslProvider.OPENSSL, SslProvider.JDK,
                SslProvider.OPENSSL}) {
                run(cert, provider, pki);
            }
        }
    }

    private static void run(TestPki.Issued cert, SslProvider provider, TestPki pki) throws Exception {
        ServerTls tls = new ServerTls("bench", TlsSettings.server(cert.certFile().toString(), cert.keyFile().toString()),
                provider);
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(pki.caCertificate()).protocols("TLSv1.3").build();
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicLong bytes = new AtomicLong();
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), 10_000));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    bytes.addAndGet(((ByteBuf) msg).readableBytes());
                                    ((ByteBuf) msg).release();
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            String name = cert.certificate().getPublicKey().getAlgorithm() + " " + provider;
            handshakes(name, client, clientGroup, port, 3_000); // warm-up
            handshakes(name, client, clientGroup, port, 8_000);
            throughput(name, client, clientGroup, port, bytes);
            server.close().sync();
        } finally {
            serverGroup.shutdownGracefully().sync();
            clientGroup.shutdownGracefully().sync();
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void handshakes(String name, SslContext client, EventLoopGroup group, int port, long millis)
            throws Exception {
        long end = System.currentTimeMillis() + millis;
        AtomicLong done = new AtomicLong();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        int parallel = 8;
        CountDownLatch finished = new CountDownLatch(parallel);
        for (int i = 0; i < parallel; i++) {
            connectLoop(client, group, port, end, done, finished);
        }
        finished.await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuMs = (cpuNanos() - cpu0) / 1e6 / done.get();
        System.out.printf("%-14s handshakes: %6.0f/s  (%.2f ms CPU per handshake, client and server)%n", name,
                done.get() / seconds, cpuMs);
    }

    private static void connectLoop(SslContext client, EventLoopGroup group, int port, long end, AtomicLong done,
                                    CountDownLatch finished) {
        if (System.currentTimeMillis() >= end) {
            finished.countDown();
            return;
        }
        new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler h = client.newHandler(ch.alloc(), "localhost", port);
                ch.pipeline().addLast(h);
                h.handshakeFuture().addListener(f -> {
                    if (f.isSuccess()) {
                        done.incrementAndGet();
                    }
                    ch.close().addListener(c -> connectLoop(client, group, port, end, done, finished));
                });
            }
        }).connect("127.0.0.1", port);
    }

    private static void throughput(String name, SslContext client, EventLoopGroup group, int port, AtomicLong bytes)
            throws Exception {
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(client.newHandler(c.alloc(), "localhost", port));
                    }
                }).connect("127.0.0.1", port).sync().channel();
        ch.pipeline().get(SslHandler.class).handshakeFuture().sync();
        long total = 512L << 20;
        byte[] chunk = new byte[16 * 1024];
        long start = bytes.get();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        for (long sent = 0; sent < total; sent += chunk.length) {
            while (!ch.isWritable()) {
                Thread.onSpinWait();
            }
            ch.writeAndFlush(ch.alloc().buffer(chunk.length).writeBytes(chunk));
        }
        while (bytes.get() - start < total) {
            Thread.sleep(1);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%-14s throughput: %6.0f MB/s (%.2f ms CPU per MB, client and server)%n", name,
                total / 1e6 / seconds, (cpuNanos() - cpu0) / 1e6 / (total / 1e6));
        ch.close().sync();
    }
}
