package dev.tern.broker.fault;

import ch.qos.logback.classic.Level;
import dev.tern.broker.TernBroker;
import dev.tern.broker.session.SessionInfo;
import dev.tern.codec.MqttPacketEncoder;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.MqttPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** What the fault tests share: a look inside the broker's sessions, memory probes, encoding, log levels. */
final class FaultSupport {
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private FaultSupport() {}

    /** A view of one client's session through the broker's public {@link TernBroker#sessionInfo}. */
    record SessionHandle(TernBroker broker, String clientId) {
        SessionInfo info() throws Exception {
            return broker.sessionInfo(clientId).get(5, TimeUnit.SECONDS)
                    .orElseThrow(() -> new AssertionError("no session for " + clientId));
        }

        int queuedMessages() throws Exception {
            return info().queuedMessages();
        }

        int inflightMessages() throws Exception {
            return info().inflightMessages();
        }

        int subscriptionCount() throws Exception {
            return info().subscriptions().size();
        }
    }

    /** The session of a client id; fails if there is none. */
    static SessionHandle requireSession(TernBroker broker, String clientId) throws Exception {
        SessionHandle h = new SessionHandle(broker, clientId);
        h.info();
        return h;
    }

    /** Used heap after a few collections, in bytes. */
    static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(30);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Direct memory held by Netty's allocators (the broker's buffers), in bytes. */
    static long nettyDirectMemory() {
        long used = 0;
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            used += p.metric().usedDirectMemory();
        }
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT) {
            used += PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        }
        return used;
    }

    /** Direct memory Netty has allocated without the JDK's accounting (0 if Netty does not count it), in bytes. */
    static long platformDirectMemory() {
        return Math.max(0, PlatformDependent.usedDirectMemory());
    }

    /** The bytes of a packet. */
    static byte[] encode(MqttPacket packet, MqttVersion version) {
        ByteBuf buf = MqttPacketEncoder.encode(packet, version, HEAP);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** The bytes of a clean-session MQTT 3.1.1 CONNECT with a 60 s keep-alive. */
    static byte[] connectBytes(String clientId, boolean cleanSession) {
        return encode(new Connect(MqttVersion.MQTT_3_1_1, clientId, cleanSession, 60, null, null, null,
                MqttProperties.EMPTY), MqttVersion.MQTT_3_1_1);
    }

    /** Sets a Logback logger's level and returns the previous one (null = inherited), for restoring. */
    static @Nullable Level logLevel(String logger, @Nullable Level level) {
        ch.qos.logback.classic.Logger l = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(logger);
        Level previous = l.getLevel();
        l.setLevel(level);
        return previous;
    }
}
