package dev.tern.client;

import dev.tern.codec.QoS;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Received messages as a flow to pull from, for code that prefers a loop to callbacks:
 *
 * <pre>{@code
 * try (MessageStream messages = client.subscribeStream(100, Subscription.of("jobs/#", 1)).join()) {
 *     for (Message m : messages) { ... }      // or messages.receive(Duration.ofSeconds(5))
 * }
 * }</pre>
 *
 * <p>A QoS 1 or 2 message is acknowledged to the server when it is taken from the stream (or, in
 * manual acknowledgement mode, when the application acknowledges it), so a slow consumer slows the
 * server down through MQTT flow control instead of piling messages up. QoS 0 messages have no flow
 * control: beyond the capacity they are dropped and counted ({@link #dropped()}).
 *
 * <p>It can also serve as the handler of {@link TernClient#subscribe(java.util.List,
 * dev.tern.codec.MqttProperties, MessageHandler)}.
 */
public final class MessageStream implements MessageHandler, Iterable<Message>, AutoCloseable {
    private static final Message CLOSED = Message.builder("closed").build();

    private final @Nullable TernClient client;
    private final int capacity;
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    private volatile @Nullable SubscribeResult subscribeResult;

    MessageStream(@Nullable TernClient client, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.client = client;
        this.capacity = capacity;
    }

    /** A stream not tied to a subscription yet; pass it as the handler of a subscribe call. */
    public static MessageStream create(int capacity) {
        return new MessageStream(null, capacity);
    }

    void subscribed(SubscribeResult r) {
        subscribeResult = r;
    }

    /** The SUBACK of the subscription that created this stream, or null. */
    public @Nullable SubscribeResult subscribeResult() {
        return subscribeResult;
    }

    @Override
    public void onMessage(Message message) {
        if (closed) {
            return;
        }
        if (message.qos() == QoS.AT_MOST_ONCE && queue.size() >= capacity) {
            dropped.incrementAndGet();
            return;
        }
        queue.add(message);
    }

    /** Waits for the next message. */
    public Message receive() throws InterruptedException {
        Message m = queue.take();
        if (m == CLOSED) {
            queue.add(CLOSED);
            throw new IllegalStateException("the stream is closed");
        }
        return taken(m);
    }

    /** Waits up to {@code timeout} for the next message. */
    public Optional<Message> receive(Duration timeout) throws InterruptedException {
        Message m = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (m == null) {
            return Optional.empty();
        }
        if (m == CLOSED) {
            queue.add(CLOSED);
            return Optional.empty();
        }
        return Optional.of(taken(m));
    }

    /** The next message if one is there. */
    public Optional<Message> poll() {
        Message m = queue.poll();
        if (m == null || m == CLOSED) {
            if (m == CLOSED) {
                queue.add(CLOSED);
            }
            return Optional.empty();
        }
        return Optional.of(taken(m));
    }

    private Message taken(Message m) {
        m.acknowledge(); // releases this stream's hold on the acknowledgement (no-op for QoS 0)
        return m;
    }

    /** Messages waiting to be taken. */
    public int size() {
        return (int) queue.stream().filter(m -> m != CLOSED).count();
    }

    /** QoS 0 messages dropped because the stream was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Iterates until the stream is closed; {@code next()} blocks. */
    @Override
    public Iterator<Message> iterator() {
        return new Iterator<>() {
            private @Nullable Message next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    Message m = queue.take();
                    if (m == CLOSED) {
                        queue.add(CLOSED);
                        return false;
                    }
                    next = taken(m);
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }

            @Override
            public Message next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Message m = next;
                next = null;
                return m;
            }
        };
    }

    /**
     * Stops the stream: waiting receivers return, later messages are not queued, and the client
     * forgets the stream's subscriptions locally (it does not unsubscribe at the server).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Message m;
        while ((m = queue.poll()) != null) {
            m.acknowledge(); // messages never taken must not hold back the acknowledgements of later ones
        }
        queue.add(CLOSED);
        if (client != null) {
            client.forget(this);
        }
    }
}
