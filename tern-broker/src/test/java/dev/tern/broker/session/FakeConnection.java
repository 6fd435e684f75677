package dev.tern.broker.session;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tern.broker.routing.Delivery;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SessionConnection} without a network: records what the session writes and makes it visible
 * to the test when the session flushes (like a channel), lets the test control {@link #isActive()} and
 * {@link #isWritable()}, and checks that every call arrives on the connection's event loop.
 *
 * <p>With auto-ack, every flushed QoS 1 PUBLISH is acknowledged in a later task on the loop, as a
 * client would, unless the connection was closed or taken over by then.
 */
final class FakeConnection implements SessionConnection {
    /** One packet the session wrote: a PUBLISH, or a PUBREL (topic and payload null). */
    record Write(FakeConnection connection, boolean pubRel, @Nullable String topic, @Nullable String payload,
                 @Nullable QoS qos, boolean retain, int packetId, boolean dup) {
        int number() {
            return Integer.parseInt(payload);
        }

        @Override
        public String toString() {
            return pubRel ? "PUBREL(" + packetId + ")@" + connection.name
                    : "PUBLISH(" + topic + " " + payload + " q" + qos.value() + " id" + packetId + (dup ? " dup" : "")
                    + ")@" + connection.name;
        }
    }

    /** Something the test should know about: a write or an acknowledgement, in the order they happened. */
    sealed interface Event permits Written, Acked {}

    record Written(Write write) implements Event {}

    record Acked(FakeConnection connection, int number) implements Event {}

    final String name;
    final EventLoop loop;
    private final @Nullable Consumer<Event> events;
    private final List<Write> writes = new ArrayList<>(); // guarded by this
    private int flushedWrites; // guarded by this
    private int publishes; // guarded by this
    private final List<Write> ackDue = new ArrayList<>(); // loop only
    private final List<String> violations = new ArrayList<>(); // guarded by this

    volatile boolean active = true;
    volatile boolean writable = true;
    /** The connection becomes unwritable once this many PUBLISH packets were written. */
    volatile int writeBudget = Integer.MAX_VALUE;
    volatile boolean autoAck;
    volatile @Nullable Session session;
    volatile @Nullable Boolean sessionPresent;
    volatile boolean takenOver;
    volatile int takenOverCalls;
    volatile int flushes;
    /** {@link System#nanoTime()} when the connection was closed, or 0. */
    volatile long closedAtNanos;
    final CountDownLatch attachedLatch = new CountDownLatch(1);
    /** Counted down when the session attached this connection or took it over before attaching it. */
    final CountDownLatch handledLatch = new CountDownLatch(1);

    FakeConnection(String name, EventLoop loop) {
        this(name, loop, null);
    }

    FakeConnection(String name, EventLoop loop, @Nullable Consumer<Event> events) {
        this.name = name;
        this.loop = loop;
        this.events = events;
    }

    private void checkLoop(String what) {
        if (!loop.inEventLoop()) {
            synchronized (this) {
                violations.add(what + " called on " + Thread.currentThread().getName() + ", not on " + name
                        + "'s loop");
            }
        }
    }

    // ---- SessionConnection -----------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public synchronized boolean isWritable() {
        checkLoop("isWritable");
        return writable && publishes < writeBudget;
    }

    @Override
    public void attached(Session s, boolean present) {
        checkLoop("attached");
        if (!active) {
            s.detach(this); // as MqttConnection does when it closed while attaching
            return;
        }
        session = s;
        sessionPresent = present;
        attachedLatch.countDown();
        handledLatch.countDown();
    }

    @Override
    public dev.tern.codec.packet.@Nullable Will takenOver() {
        checkLoop("takenOver");
        takenOverCalls++;
        takenOver = true;
        active = false;
        Session s = session;
        if (s != null) {
            s.detach(this);
        }
        handledLatch.countDown();
        return null;
    }

    @Override
    public void writePublish(Delivery delivery, int packetId, boolean dup) {
        checkLoop("writePublish");
        ByteBuf payload = delivery.message().payload();
        String text = payload.toString(payload.readerIndex(), payload.readableBytes(), UTF_8);
        record(new Write(this, false, delivery.message().topic(), text, delivery.qos(), delivery.retain(), packetId,
                dup));
    }

    @Override
    public void writePubRel(int packetId) {
        checkLoop("writePubRel");
        record(new Write(this, true, null, null, null, false, packetId, false));
    }

    private void record(Write w) {
        if (!active) {
            synchronized (this) {
                violations.add("write on a closed connection: " + w);
            }
        }
        synchronized (this) {
            writes.add(w);
            if (!w.pubRel) {
                publishes++;
            }
        }
        if (events != null) {
            events.accept(new Written(w));
        }
        if (autoAck && !w.pubRel && w.qos == QoS.AT_LEAST_ONCE) {
            ackDue.add(w);
        }
    }

    @Override
    public void flush() {
        checkLoop("flush");
        synchronized (this) {
            flushes++;
            flushedWrites = writes.size();
        }
        if (!ackDue.isEmpty()) {
            List<Write> due = new ArrayList<>(ackDue);
            ackDue.clear();
            loop.execute(() -> {
                Session s = session;
                if (takenOver || !active || s == null) {
                    return; // a closed connection's acknowledgements never arrive
                }
                for (Write w : due) {
                    if (events != null) {
                        events.accept(new Acked(this, w.number()));
                    }
                    s.onPubAck(w.packetId);
                }
            });
        }
    }

    @Override
    public String describe() {
        return name;
    }

    // ---- For the test ----------------------------------------------------------------------

    /** Everything written, flushed or not. */
    synchronized List<Write> written() {
        return List.copyOf(writes);
    }

    /** What a peer would have received: the writes up to the last flush. */
    synchronized List<Write> received() {
        return List.copyOf(writes.subList(0, flushedWrites));
    }

    /** The payloads of the received PUBLISH packets. */
    List<String> receivedPayloads() {
        return received().stream().filter(w -> !w.pubRel).map(Write::payload).toList();
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    Session awaitAttached() throws InterruptedException {
        if (!attachedLatch.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " was not attached within 5 s");
        }
        return session;
    }

    /** Waits until the session attached this connection or took it over while it was still pending. */
    void awaitHandled() throws InterruptedException {
        if (!handledLatch.await(5, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " was neither attached nor taken over within 5 s");
        }
    }

    /** Closes the connection on its loop, as a channel going inactive does, and waits for it. */
    @Override
    public void close() {
        runOnLoop(this::closeNow);
    }

    /** How often the session refused this connection because the store could not take it. */
    volatile int refusedByStore;

    @Override
    public void refusedByStore() {
        refusedByStore++;
        active = false;
    }

    /** Closes the connection in a task on its loop, without waiting. */
    void closeAsync() {
        loop.execute(this::closeNow);
    }

    private void closeNow() {
        checkLoop("close");
        if (!active) {
            return;
        }
        active = false;
        closedAtNanos = System.nanoTime();
        Session s = session;
        if (s != null && !takenOver) {
            s.detach(this);
        }
    }

    /** Runs a task on this connection's loop (the session's owner while attached) and waits for it. */
    void runOnLoop(Runnable task) {
        callOnLoop(() -> {
            task.run();
            return null;
        });
    }

    <T> T callOnLoop(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on " + name + "'s loop failed", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
