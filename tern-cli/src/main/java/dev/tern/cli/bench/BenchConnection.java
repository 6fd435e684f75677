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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One benchmark connection: a minimal but correct MQTT client. Inbound packets are parsed in place
 * (no objects per PUBLISH), acknowledgements of one read are batched into one write, and PUBLISH
 * packets are copied from a pre-encoded template with only the packet id and the payload's time stamp
 * and sequence number filled in.
 *
 * <p>Payload layout: 8 bytes send time ({@link BenchClock#epochNanos()}), 4 bytes publisher index,
 * 4 bytes sequence number, then zeros up to the configured size.
 */
// event loop only
final class BenchConnection extends ByteToMessageDecoder {
    static final int HEADER = 16;
    /**
     * Topics per publisher in the fleet scenario: with ten publishers, 160,000 draws over the fleet,
     * far more trie paths than the machine's cache holds, as with a real fleet.
     */
    static final int FLEET_TOPICS_PER_PUBLISHER = 16_384;

    private final ClientSpec spec;
    private final BenchOptions options;
    private final MqttVersion version;
    private final BenchStats stats;
    private final Runnable onReady;
    private @Nullable Channel channel;
    private @Nullable ByteBuf acks;
    private long connectStarted;
    private boolean ready;
    private long lastWrite;

    // Publisher state.
    private @Nullable PublishTemplates templates;
    private boolean packetIds;
    private int window;
    /** Written on the event loop, read by the run's drain loop on another thread. */
    private volatile int inflight;
    private @Nullable BitSet ids;
    private int nextId = 1;
    private long seq;
    private long limit = Long.MAX_VALUE;
    private volatile boolean publishing;
    private double tokens;
    private boolean kickScheduled;
    private boolean ackedInRead;
    private volatile boolean stopping;
    // End-to-end window (--window): copies sent minus copies received by the subscribers.
    private int copies = 1;
    private long writtenOff;
    private long peakOutstanding;
    private final AtomicBoolean windowBlocked = new AtomicBoolean();
    private long blockedAt;
    private long arrivedAtBlock;

    // Subscriber state.
    private @Nullable BitSet inboundQos2;
    private int[] lastSeq = new int[0];
    private int[] touchedEpoch = new int[0];
    private int epoch = 1;
    private int[] touched = new int[16];
    private int touchedCount;

    BenchConnection(ClientSpec spec, BenchOptions options, MqttVersion version, BenchStats stats, Runnable onReady) {
        this.spec = spec;
        this.options = options;
        this.version = version;
        this.stats = stats;
        this.onReady = onReady;
        this.connectStarted = System.nanoTime();
    }

    ClientSpec spec() {
        return spec;
    }

    void attach(Channel ch) {
        channel = ch;
    }

    EventLoop channelEventLoop() {
        return channel.eventLoop();
    }

    boolean isPublishing() {
        return publishing;
    }

    boolean isReady() {
        return ready;
    }

    int inflight() {
        return inflight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        stats.connected.incrementAndGet();
        // A persistent subscriber starts afresh (clean start) but keeps its session afterwards.
        boolean persistent = options.persistentSubscribers && spec.role() == Role.SUBSCRIBER;
        MqttProperties props = persistent && version.isV5()
                ? MqttProperties.builder().sessionExpiryInterval(0xFFFF_FFFFL).build() : MqttProperties.EMPTY;
        Connect connect = new Connect(version, spec.clientId(), !persistent || version.isV5(), options.keepAlive,
                options.username,
                options.password == null ? null : options.password.getBytes(StandardCharsets.UTF_8), null, props);
        write(MqttPacketEncoder.encode(connect, version, ctx.alloc()));
        ctx.flush();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stats.connected.decrementAndGet();
        if (publishing || !stopping) {
            stats.error("connection " + spec.clientId() + " closed");
        }
        publishing = false;
        if (templates != null) {
            templates.release();
            templates = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.error(spec.clientId() + ": " + cause.getMessage());
        ctx.close();
    }

    private void write(ByteBuf b) {
        lastWrite = System.nanoTime();
        channel.write(b, channel.voidPromise());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < 2) {
                return;
            }
            int first = in.getUnsignedByte(start);
            int remaining = 0;
            int shift = 0;
            int pos = start + 1;
            while (true) {
                if (pos - start >= readable) {
                    return;
                }
                int b = in.getUnsignedByte(pos++);
                remaining |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift > 21) {
                    protocolError(ctx, "remaining length too long");
                    return;
                }
            }
            int total = pos - start + remaining;
            if (readable < total) {
                return;
            }
            handle(ctx, first, in, start, pos, remaining);
            in.readerIndex(start + total);
            if (!ctx.channel().isActive()) {
                in.skipBytes(in.readableBytes());
                return;
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, int first, ByteBuf in, int start, int body, int length) {
        int type = first >> 4;
        switch (type) {
            case 3 -> onPublish(ctx, first, in, body, length);
            case 4, 7 -> onAck(in.getUnsignedShort(body));
            case 5 -> ack(0x62, in.getUnsignedShort(body)); // PUBREC -> PUBREL
            case 6 -> { // PUBREL -> PUBCOMP
                int id = in.getUnsignedShort(body);
                if (inboundQos2 != null) {
                    inboundQos2.clear(id);
                }
                ack(0x70, id);
            }
            case 2, 9 -> onControl(ctx, in.slice(start, body - start + length));
            case 13 -> { } // PINGRESP
            case 14 -> {
                stats.error(spec.clientId() + ": the server sent DISCONNECT");
                ctx.close();
            }
            default -> protocolError(ctx, "unexpected packet type " + type);
        }
    }

    private void protocolError(ChannelHandlerContext ctx, String why) {
        stats.error(spec.clientId() + ": " + why);
        ctx.close();
    }

    /** CONNACK and SUBACK are rare: the codec decodes them fully. */
    private void onControl(ChannelHandlerContext ctx, ByteBuf packet) {
        DecodeResult r = new MqttPacketDecoder(MqttPacketDecoder.MAX_PACKET_SIZE, UnpooledByteBufAllocator.DEFAULT)
                .decode(packet, version);
        if (!(r instanceof DecodeResult.Decoded d)) {
            protocolError(ctx, "malformed CONNACK/SUBACK: " + r);
            return;
        }
        switch (d.packet()) {
            case ConnAck c -> {
                if (c.reasonCode() != 0) {
                    stats.failed.incrementAndGet();
                    protocolError(ctx, "connection refused, code " + c.reasonCode());
                    return;
                }
                Integer receiveMaximum = c.properties().receiveMaximum();
                window = Math.min(options.inflight, receiveMaximum == null ? 65_535 : receiveMaximum);
                if (spec.role() == Role.SUBSCRIBER) {
                    Subscribe s = new Subscribe(1, List.of(new TopicSubscription(spec.topic(), QoS.of(options.qos))),
                            MqttProperties.EMPTY);
                    write(MqttPacketEncoder.encode(s, version, ctx.alloc()));
                    ctx.flush();
                } else {
                    if (spec.role() == Role.PUBLISHER) {
                        prepareTemplate();
                    }
                    becomeReady();
                }
            }
            case SubAck s -> {
                if (s.reasonCodes().stream().anyMatch(code -> code >= 0x80)) {
                    stats.failed.incrementAndGet();
                    protocolError(ctx, "subscription to " + spec.topic() + " refused");
                    return;
                }
                becomeReady();
            }
            default -> protocolError(ctx, "unexpected " + d.packet().type());
        }
    }

    private void becomeReady() {
        ready = true;
        stats.connect.recordValue(Math.min(System.nanoTime() - connectStarted, 59_000_000_000L));
        stats.ready.incrementAndGet();
        onReady.run();
    }

    private void onPublish(ChannelHandlerContext ctx, int first, ByteBuf in, int body, int length) {
        int qos = (first >> 1) & 3;
        int end = body + length;
        int p = body + 2 + in.getUnsignedShort(body);
        int id = 0;
        if (qos > 0) {
            id = in.getUnsignedShort(p);
            p += 2;
        }
        if (version.isV5()) {
            int propsLength = 0;
            int shift = 0;
            int b;
            do {
                b = in.getUnsignedByte(p++);
                propsLength |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0 && shift < 28);
            p += propsLength;
        }
        boolean duplicate = false;
        if (qos == 2) {
            if (inboundQos2 == null) {
                inboundQos2 = new BitSet(65_536);
            }
            duplicate = inboundQos2.get(id);
            inboundQos2.set(id);
        }
        if (!duplicate) {
            stats.received.increment();
            if (end - p >= HEADER) {
                long sentAt = in.getLong(p);
                long latency = BenchClock.epochNanos() - sentAt;
                if (latency >= 0 && latency < 59_000_000_000L) {
                    stats.latency.recordValue(latency);
                }
                int publisher = in.getInt(p + 8);
                int s = in.getInt(p + 12);
                if (publisher >= 0 && publisher < 1_000_000) {
                    if (publisher >= lastSeq.length) {
                        int[] grown = new int[Math.max(publisher + 1, lastSeq.length * 2)];
                        java.util.Arrays.fill(grown, lastSeq.length, grown.length, -1);
                        System.arraycopy(lastSeq, 0, grown, 0, lastSeq.length);
                        lastSeq = grown;
                        touchedEpoch = java.util.Arrays.copyOf(touchedEpoch, grown.length);
                    }
                    if (s <= lastSeq[publisher]) {
                        stats.outOfOrder.increment();
                    }
                    lastSeq[publisher] = s;
                    if (options.window > 0) {
                        stats.arrived(publisher);
                        touch(publisher);
                    }
                }
            }
        }
        if (qos == 1) {
            ack(0x40, id);
        } else if (qos == 2) {
            ack(0x50, id);
        }
    }

    private void ack(int firstByte, int id) {
        if (acks == null) {
            acks = channel.alloc().buffer(64);
        }
        acks.writeByte(firstByte).writeByte(2).writeShort(id);
    }

    /** Remembers that this read brought a copy from {@code publisher}, to wake it once after the read. */
    private void touch(int publisher) {
        if (touchedEpoch[publisher] != epoch) {
            touchedEpoch[publisher] = epoch;
            if (touchedCount == touched.length) {
                touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = publisher;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (acks != null) {
            write(acks);
            acks = null;
            ctx.flush();
        }
        if (ackedInRead) {
            ackedInRead = false;
            trySend();
        }
        if (touchedCount > 0) {
            for (int i = 0; i < touchedCount; i++) {
                stats.wake(touched[i]);
            }
            touchedCount = 0;
            epoch++;
        }
        super.channelReadComplete(ctx);
    }

    // ---------------------------------------------------------------- publishing

    private void prepareTemplate() {
        QoS qos = QoS.of(options.qos);
        String[] topics = spec.topic().equals(ClientSpec.FLEET_TOPICS)
                ? FleetWorkload.topics(options.fleetOr(10), FLEET_TOPICS_PER_PUBLISHER, spec.index())
                : new String[] {spec.topic()};
        templates = new PublishTemplates(topics, qos, Math.max(options.size, HEADER), version);
        packetIds = templates.hasPacketId();
        if (packetIds) {
            ids = new BitSet(65_536);
        }
    }

    /** How many subscribers receive each of this publisher's messages (for the end-to-end window). */
    void copies(int n) {
        copies = Math.max(1, n);
    }

    /** Copies sent and neither received nor written off as lost. */
    private long outstandingCopies() {
        return seq * copies - stats.arrivedFrom(spec.index()) - writtenOff;
    }

    /** True if the end-to-end window is full; then a subscriber's read (or the keep-alive tick) wakes us. */
    private boolean windowFull() {
        long max = (long) options.window * copies;
        long outstanding = outstandingCopies();
        if (outstanding < max) {
            if (outstanding + copies > peakOutstanding) {
                peakOutstanding = outstanding + copies; // with the one about to be sent
                stats.maxOutstanding.accumulate(peakOutstanding);
            }
            return false;
        }
        windowBlocked.set(true);
        if (outstandingCopies() < max) { // a subscriber counted in between and may have missed the flag
            windowBlocked.set(false);
            return false;
        }
        blockedAt = System.nanoTime();
        arrivedAtBlock = stats.arrivedFrom(spec.index());
        return true;
    }

    /** Any thread: a subscriber received copies of ours; continue sending if we were waiting for that. */
    void wakeIfBlocked() {
        if (windowBlocked.get() && windowBlocked.compareAndSet(true, false)) {
            Channel ch = channel;
            if (ch != null) {
                ch.eventLoop().execute(this::trySend);
            }
        }
    }

    /** Starts publishing; {@code count} messages at most (0: until {@link #stop()}). */
    void start(long count) {
        limit = count > 0 ? count : Long.MAX_VALUE;
        publishing = true;
        trySend();
    }

    void stop() {
        publishing = false;
    }

    void stopping() {
        stopping = true;
        publishing = false;
    }

    /** Adds rate tokens for {@code seconds} of time and sends what they allow (rate-limited mode). */
    void tick(double seconds) {
        if (!publishing) {
            return;
        }
        double max = Math.max(1.0, options.rate / 20);
        tokens = Math.min(max, tokens + options.rate * seconds);
        trySend();
    }

    private void trySend() {
        Channel ch = channel;
        if (ch == null || !publishing || templates == null) {
            return;
        }
        boolean rateLimited = options.rate > 0;
        boolean wrote = false;
        int burst = 0;
        while (ch.isWritable() && seq < limit) {
            if (packetIds && inflight >= window) {
                break;
            }
            if (options.window > 0 && windowFull()) {
                break;
            }
            if (rateLimited) {
                if (tokens < 1) {
                    break;
                }
                tokens -= 1;
            }
            sendOne(ch);
            wrote = true;
            if (++burst >= 512) {
                // Let reads and other connections run; continue right after.
                if (!kickScheduled) {
                    kickScheduled = true;
                    ch.eventLoop().execute(() -> {
                        kickScheduled = false;
                        trySend();
                    });
                }
                break;
            }
        }
        if (wrote) {
            ch.flush();
        }
        if (seq >= limit) {
            publishing = false;
        }
    }

    private void sendOne(Channel ch) {
        PublishTemplates t = templates;
        ByteBuf b = ch.alloc().directBuffer(t.nextLength());
        int idOffset = t.writeNextUpToPayload(b);
        b.writeLong(BenchClock.epochNanos());
        b.writeInt(spec.index());
        b.writeInt((int) seq);
        b.writeZero(t.payloadTail());
        if (idOffset >= 0) {
            int id = allocateId();
            b.setShort(idOffset, id);
            inflight++;
        }
        seq++;
        stats.sent.increment();
        write(b);
    }

    private int allocateId() {
        BitSet used = ids;
        int id = used.nextClearBit(nextId);
        if (id > 65_535) {
            id = used.nextClearBit(1);
        }
        used.set(id);
        nextId = id == 65_535 ? 1 : id + 1;
        return id;
    }

    private void onAck(int id) {
        BitSet used = ids;
        if (used == null || !used.get(id)) {
            return; // PUBACK/PUBCOMP for an id we do not have in flight: ignore
        }
        used.clear(id);
        inflight--;
        stats.completed.increment();
        ackedInRead = true; // send into the freed window once the read is done: one flush per read
    }

    /** Sends PINGREQ if nothing was written for a keep-alive period. */
    void keepAlive(long now) {
        if (windowBlocked.get() && now - blockedAt > 1_000_000_000L
                && stats.arrivedFrom(spec.index()) == arrivedAtBlock && windowBlocked.compareAndSet(true, false)) {
            // Nothing arrived for a second: what is outstanding was lost (QoS 0), so it no longer counts.
            writtenOff += outstandingCopies();
            trySend();
        }
        Channel ch = channel;
        if (ch != null && ch.isActive() && options.keepAlive > 0
                && now - lastWrite >= options.keepAlive * 1_000_000_000L) {
            write(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC0, 0}));
            ch.flush();
        }
    }

    /** Sends DISCONNECT and closes. */
    void disconnect() {
        Channel ch = channel;
        stopping = true;
        publishing = false;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(MqttPacketEncoder.encode(Disconnect.NORMAL, version, ch.alloc()))
                    .addListener(f -> ch.close());
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (acks != null) {
            acks.release();
            acks = null;
        }
    }
}
