package dev.tern.client;

import java.io.Closeable;
import java.util.List;
import java.util.Set;

/**
 * Where a client keeps the session state that must survive a restart of its process: outbound QoS 1
 * and 2 messages not yet completely acknowledged (queued or in flight), and the packet ids of inbound
 * QoS 2 messages awaiting PUBREL. The client calls the methods on its event loop, in protocol order,
 * so implementations need no locking. {@link FileSessionStore} is the file-backed implementation;
 * without a store the state lives in memory and survives reconnects but not restarts.
 */
public interface SessionStore extends Closeable {
    /** The stored outbound messages, in sequence order. */
    List<StoredPublish> outbound();

    /** Packet ids of inbound QoS 2 messages received but not yet released. */
    Set<Integer> inboundQos2();

    /** A new outbound QoS 1/2 message was accepted. */
    void add(StoredPublish message);

    /** A message was sent with a packet id, or (QoS 2) its PUBREC arrived. */
    void update(long sequence, int packetId, boolean released);

    /** The message's flow ended (PUBACK, PUBCOMP, or it was dropped). */
    void remove(long sequence);

    /** An inbound QoS 2 message with this id was received. */
    void addInboundQos2(int packetId);

    /** Its PUBREL arrived. */
    void removeInboundQos2(int packetId);

    /** Forgets everything (a clean start). */
    void clear();
}
