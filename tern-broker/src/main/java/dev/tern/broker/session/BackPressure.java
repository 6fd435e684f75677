package dev.tern.broker.session;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Back-pressure from one session's outbound backlog to the connections that publish into it. When a
 * delivery finds the backlog (mailbox plus queue) at the high-water mark, the connection that is
 * routing it is held ({@link PublisherHolds}): it stops reading until the backlog falls to the
 * low-water mark. Publishers are thus slowed to the rate the subscriber takes, by TCP flow control,
 * instead of their messages being dropped at {@code max_queued_messages}, and while they wait the
 * event loops serve the subscriber's acknowledgements instead of reading more publishes.
 *
 * <p>Only an online session holds publishers (an offline one just queues or drops); a stalled one (it
 * held a publisher for {@code max_publisher_hold} without draining) stops holding until it
 * drains to its low-water mark. {@link #delivered} runs on the publisher's loop; the rest on the
 * session's owner loop.
 */
final class BackPressure {
    /** Used when max_queued_messages is 0 (no limit). */
    static final int UNLIMITED_HIGH_WATER = 1024;

    private final int highWater;
    private final int lowWater;
    /** The session's queue length, published by the owner for publishers on other loops. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Queue<PublisherHolds.Hold> holds = PlatformDependent.newMpscQueue(16, 1 << 30);
    private volatile boolean stalled;

    /** High water at half of max_queued_messages, low water at a quarter. */
    BackPressure(int maxQueuedMessages) {
        this.highWater = maxQueuedMessages == 0 ? UNLIMITED_HIGH_WATER : Math.max(1, maxQueuedMessages / 2);
        this.lowWater = highWater / 2;
    }

    int highWater() {
        return highWater;
    }

    int lowWater() {
        return lowWater;
    }

    /**
     * A delivery entered the mailbox, which now holds {@code inMailbox}; any thread.
     *
     * @return true if a publisher was held (the owner must then run {@link #check} once)
     */
    boolean delivered(Session session, int inMailbox) {
        if (inMailbox + queued.get() < highWater || stalled) {
            return false;
        }
        PublisherHolds source = PublisherHolds.current(session);
        if (source == null) {
            return false;
        }
        holds.offer(source.add(this));
        return true;
    }

    /** The owner's queue length changed (owner loop; cheap: a plain store on x86). */
    void queued(int size) {
        queued.lazySet(size);
    }

    /**
     * Releases the held publishers once the backlog is at the low-water mark, or at once when the
     * session has no connection; owner loop.
     */
    void check(int queueSize, int inMailbox, boolean online) {
        queued.lazySet(queueSize);
        if (!online || queueSize + inMailbox <= lowWater) {
            if (stalled) {
                stalled = false;
            }
            releaseAll();
        }
    }

    /** Releases every held publisher (the session drained, went offline or ended). */
    void releaseAll() {
        PublisherHolds.Hold h;
        while ((h = holds.poll()) != null) {
            h.release();
        }
    }

    /** A hold of this session timed out; publisher loop. */
    void stalled() {
        stalled = true;
    }
}
