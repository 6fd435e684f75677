package dev.tern.cli.bench;

import dev.tern.codec.DecodeResult;
import dev.tern.codec.MqttPacketDecoder;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the fleet's persistent sessions before a {@code fleet} run: each client connects without
 * a clean session (MQTT 5: Session Expiry Interval 0xFFFFFFFF), subscribes to its ten filters in one
 * SUBSCRIBE, and disconnects, so that the broker holds the subscriptions of offline sessions. A few
 * hundred at a time: the fleet may be larger than the process may hold file descriptors.
 */
final class FleetPreload {
    private static final int CONCURRENT = 256;
    private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final BenchOptions options;
    private final MqttVersion version;
    private final Semaphore slots = new Semaphore(CONCURRENT);
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicReference<String> failure = new AtomicReference<>();

    FleetPreload(Bootstrap bootstrap, InetSocketAddress remote, BenchOptions options, MqttVersion version) {
        this.bootstrap = bootstrap;
        this.remote = remote;
        this.options = options;
        this.version = version;
    }

    /**
     * Creates {@code clients} sessions; returns the seconds it took.
     *
     * @throws IllegalStateException if the broker refused or dropped a session, naming the first
     */
    double run(int clients, PrintStream progress) throws InterruptedException {
        long start = System.nanoTime();
        long lastPrint = start;
        for (int client = 0; client < clients && failure.get() == null; client++) {
            while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                checkTime(start);
            }
            connect(client);
            long now = System.nanoTime();
            if (!options.quiet && now - lastPrint >= 1_000_000_000L) {
                lastPrint = now;
                progress.printf(Locale.ROOT, "%5.0fs fleet      sessions %,d/%,d%n", (now - start) / 1e9, done.get(), clients);
            }
        }
        while (!slots.tryAcquire(CONCURRENT, 1, TimeUnit.SECONDS)) {
            checkTime(start);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("creating the fleet's sessions: " + failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!options.quiet) {
            progress.printf(Locale.ROOT, "fleet: %,d sessions with %,d subscriptions in %.1f s%n", done.get(),
                    (long) done.get() * FleetWorkload.SUBSCRIPTIONS_PER_CLIENT, seconds);
        }
        return seconds;
    }

    private void checkTime(long start) {
        if (System.nanoTime() - start > TIMEOUT_NANOS) {
            throw new IllegalStateException("creating the fleet's sessions took over 10 minutes ("
                    + done.get() + " done)");
        }
    }

    private void connect(int client) {
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new SessionCreator(client));
            }
        }).connect(remote).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(FleetWorkload.clientId(client) + ": cannot connect: " + f.cause().getMessage());
            } else {
                f.channel().closeFuture().addListener(c -> slots.release());
            }
        });
    }

    private void fail(String why) {
        failure.compareAndSet(null, why);
        slots.release();
    }

    /** One client: CONNECT, SUBSCRIBE to the ten filters, DISCONNECT. */
    private final class SessionCreator extends ByteToMessageDecoder {
        private final int client;
        private final MqttPacketDecoder decoder =
                new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, UnpooledByteBufAllocator.DEFAULT);
        private boolean subscribed;

        SessionCreator(int client) {
            this.client = client;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            MqttProperties props = version.isV5()
                    ? MqttProperties.builder().sessionExpiryInterval(0xFFFF_FFFFL).build() : MqttProperties.EMPTY;
            Connect connect = new Connect(version, FleetWorkload.clientId(client), version.isV5(), options.keepAlive,
                    options.username, options.password == null ? null
                            : options.password.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, props);
            ctx.writeAndFlush(MqttPacketEncoder.encode(connect, version, ctx.alloc()));
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            DecodeResult r = decoder.decode(in, version);
            if (r instanceof DecodeResult.Incomplete) {
                return;
            }
            if (!(r instanceof DecodeResult.Decoded d)) {
                stop(ctx, "malformed reply: " + r);
                return;
            }
            switch (d.packet()) {
                case ConnAck c when c.reasonCode() != 0 -> stop(ctx, "connection refused, code " + c.reasonCode());
                case ConnAck c -> {
                    List<TopicSubscription> filters = new ArrayList<>(FleetWorkload.SUBSCRIPTIONS_PER_CLIENT);
                    for (int k = 0; k < FleetWorkload.SUBSCRIPTIONS_PER_CLIENT; k++) {
                        filters.add(new TopicSubscription(FleetWorkload.filter(client, k),
                                QoS.of(FleetWorkload.qos(client, k))));
                    }
                    ctx.writeAndFlush(MqttPacketEncoder.encode(new Subscribe(1, filters, MqttProperties.EMPTY),
                            version, ctx.alloc()));
                }
                case SubAck s when s.reasonCodes().stream().anyMatch(code -> code >= 0x80) ->
                        stop(ctx, "subscription refused: " + s.reasonCodes());
                case SubAck s -> {
                    subscribed = true;
                    done.incrementAndGet();
                    ctx.writeAndFlush(MqttPacketEncoder.encode(Disconnect.NORMAL, version, ctx.alloc()))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                default -> stop(ctx, "unexpected " + d.packet().type());
            }
        }

        private void stop(ChannelHandlerContext ctx, String why) {
            failure.compareAndSet(null, FleetWorkload.clientId(client) + ": " + why);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!subscribed) {
                failure.compareAndSet(null, FleetWorkload.clientId(client) + ": closed before its SUBACK");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stop(ctx, cause.toString());
        }
    }
}
