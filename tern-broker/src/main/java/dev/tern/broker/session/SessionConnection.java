package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import io.netty.channel.EventLoop;

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

    /** Another connection with the same client id took the session over: publish the will and close. */
    void takenOver();

    /** Writes (without flushing) a PUBLISH for a delivery. */
    void writePublish(Delivery delivery, int packetId, boolean dup);

    /** Writes (without flushing) a PUBREL. */
    void writePubRel(int packetId);

    /** Flushes what was written. */
    void flush();

    /** A short description for logs: client id and address. */
    String describe();
}
