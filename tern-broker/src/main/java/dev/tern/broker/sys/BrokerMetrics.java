package dev.tern.broker.sys;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every part of the broker updates and the $SYS publisher reads. Counters are
 * {@link LongAdder}s so that event loops do not contend on one cache line.
 */
public final class BrokerMetrics {
    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder publishReceived = new LongAdder();
    private final LongAdder publishSent = new LongAdder();
    private final LongAdder publishDropped = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder malformedPackets = new LongAdder();
    private final LongAdder oversizedPackets = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder publishBytesReceived = new LongAdder();
    private final LongAdder publishBytesSent = new LongAdder();
    private final LongAdder storedMessages = new LongAdder();
    private final LongAdder storedBytes = new LongAdder();
    private final LongAdder expiredMessages = new LongAdder();
    private final AtomicInteger connectedClients = new AtomicInteger();
    private final AtomicInteger maximumConnectedClients = new AtomicInteger();
    private final AtomicInteger expiredSessions = new AtomicInteger();

    /** Any control packet received. */
    public void packetReceived() {
        messagesReceived.increment();
    }

    /** Any control packet sent. */
    public void packetSent() {
        messagesSent.increment();
    }

    /** A PUBLISH with this many payload bytes arrived from a client. */
    public void recordPublishReceived(int payloadBytes) {
        publishReceived.increment();
        publishBytesReceived.add(payloadBytes);
    }

    /** A PUBLISH with this many payload bytes was written to a client. */
    public void recordPublishSent(int payloadBytes) {
        publishSent.increment();
        publishBytesSent.add(payloadBytes);
    }

    /** Messages held for sessions (queued or in flight) changed by {@code count} and {@code bytes}. */
    public void stored(int count, long bytes) {
        storedMessages.add(count);
        storedBytes.add(bytes);
    }

    /** A message not delivered to one recipient because of a limit or policy. */
    public void recordPublishDropped() {
        publishDropped.increment();
    }

    public void bytesReceived(long n) {
        bytesReceived.add(n);
    }

    public void bytesSent(long n) {
        bytesSent.add(n);
    }

    /** A TCP connection accepted (before CONNECT). */
    public void connectionAccepted() {
        connectionsAccepted.increment();
    }

    /** A connection refused by a limit (e.g. max_connections). */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** A packet that broke the wire format (the connection was closed). */
    public void malformedPacket() {
        malformedPackets.increment();
    }

    /** A packet larger than max_packet_size (the connection was closed). */
    public void oversizedPacket() {
        oversizedPackets.increment();
    }

    /** A client completed CONNECT. */
    public void clientConnected() {
        connects.increment();
        int now = connectedClients.incrementAndGet();
        maximumConnectedClients.accumulateAndGet(now, Math::max);
    }

    /** A connected client went away. */
    public void clientDisconnected() {
        connectedClients.decrementAndGet();
    }

    /** A queued message reached its MQTT 5.0 Message Expiry Interval before it could be sent. */
    public void messageExpired() {
        expiredMessages.increment();
    }

    public long expiredMessages() { return expiredMessages.sum(); }

    public void sessionExpired() {
        expiredSessions.incrementAndGet();
    }

    public long messagesReceived() { return messagesReceived.sum(); }
    public long messagesSent() { return messagesSent.sum(); }
    public long publishReceived() { return publishReceived.sum(); }
    public long publishSent() { return publishSent.sum(); }
    public long publishDropped() { return publishDropped.sum(); }
    public long bytesReceived() { return bytesReceived.sum(); }
    public long bytesSent() { return bytesSent.sum(); }
    public long connectionsAccepted() { return connectionsAccepted.sum(); }
    public long connectionsRefused() { return connectionsRefused.sum(); }
    public long malformedPackets() { return malformedPackets.sum(); }
    public long oversizedPackets() { return oversizedPackets.sum(); }
    public long connects() { return connects.sum(); }
    public long publishBytesReceived() { return publishBytesReceived.sum(); }
    public long publishBytesSent() { return publishBytesSent.sum(); }
    /** Deliveries held in session queues and in-flight windows. */
    public long storedMessages() { return storedMessages.sum(); }
    /** Payload bytes of {@link #storedMessages()}. */
    public long storedBytes() { return storedBytes.sum(); }
    public int connectedClients() { return connectedClients.get(); }
    public int maximumConnectedClients() { return maximumConnectedClients.get(); }
    public int expiredSessions() { return expiredSessions.get(); }
}
