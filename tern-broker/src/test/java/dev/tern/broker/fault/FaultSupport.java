package dev.tern.broker.fault;

import ch.qos.logback.classic.Level;
import dev.tern.broker.TernBroker;
import dev.tern.broker.session.Session;
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
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** What the fault tests share: a look inside the broker's sessions, memory probes, encoding, log levels. */
final class FaultSupport {
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private FaultSupport() {}

    /**
     * The session of a client id, or null. The broker has no public accessor for sessions (nor should
     * it); the fault tests need one to check queue bounds, so they look through the private fields.
     */
    static @Nullable Session session(TernBroker broker, String clientId) {
        try {
            Field registryField = TernBroker.class.getDeclaredField("sessions");
            registryField.setAccessible(true);
            Object registry = registryField.get(broker);
            Field mapField = registry.getClass().getDeclaredField("sessions");
            mapField.setAccessible(true);
            return (Session) ((Map<?, ?>) mapField.get(registry)).get(clientId);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the session registry's layout changed; update FaultSupport", e);
        }
    }

    /** Like {@link #session} but fails if there is none. */
    static Session requireSession(TernBroker broker, String clientId) {
        Session s = session(broker, clientId);
        if (s == null) {
            throw new AssertionError("no session for " + clientId);
        }
        return s;
    }

    /**
     * Runs a query on the session's owner event loop, after everything already in its mailbox, which
     * is the only safe way to read its state.
     */
    static <T> T onOwner(Session session, Callable<T> query) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        session.execute(() -> {
            try {
                result.complete(query.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
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
