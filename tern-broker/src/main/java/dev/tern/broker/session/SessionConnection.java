package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.codec.packet.Will;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * What a session needs from the network connection it is attached to. Implemented by the connection
 * handler; every method is called on {@link #eventLoop()}.
 */
public interface SessionConnection {
    /** The event loop of the connection's channel; the session moves to it on attach. */
    EventLoop eventLoop();

    /** True while the channel is open. */
    boolean isActive();

    /** True while the channel's outbound buffer is below its high-water mark. */
    boolean isWritable();

    /**
     * The session accepted this connection: send CONNACK and start reading.
     *
     * @param session        the session now attached
     * @param sessionPresent the CONNACK session present flag
     */
    void attached(Session session, boolean sessionPresent);

    /**
     * Another connection with the same client id took the session over: close (MQTT 5.0: DISCONNECT
     * 0x8E first) and give up the will, which the session publishes or keeps for its delay.
     *
     * @return the connection's will, or null
     */
    @Nullable Will takenOver();

    /**
     * Whether the PUBLISH for a delivery fits the client's Maximum Packet Size (MQTT-3.1.2-24); one that
     * does not is dropped by the session as if it had been sent.
     */
    default boolean fits(Delivery delivery) {
        return true;
    }

    /** Writes (without flushing) a PUBLISH for a delivery. */
    void writePublish(Delivery delivery, int packetId, boolean dup);

    /** Writes (without flushing) a PUBREL. */
    void writePubRel(int packetId);

    /**
     * The store could not take the new persistent session this connection asked for (disk full):
     * refuse the connection (MQTT 5.0: CONNACK 0x97 Quota exceeded; 3.x: 3 Server unavailable).
     */
    void refusedByStore();

    /** Closes the connection (the session then detaches as for any other close). */
    void close();

    /** Flushes what was written. */
    void flush();

    /** A short description for logs: client id and address. */
    String describe();
}
