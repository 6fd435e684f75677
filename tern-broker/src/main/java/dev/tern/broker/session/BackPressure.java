package dev.tern.broker.session;

import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import org.jspecify.annotations.Nullable;

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
    private static final VarHandle QUEUED;
    private static final VarHandle HOLDS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            QUEUED = l.findVarHandle(BackPressure.class, "queued", int.class);
            HOLDS = l.findVarHandle(BackPressure.class, "holds", Queue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int highWater;
    private final int lowWater;
    /** The session's queue length, published by the owner for publishers on other loops. */
    private volatile int queued;
    /**
     * Created by the first hold (a CAS: publishers on several loops may race): a session that never
     * congests, as an idle one, does without its 670 bytes.
     */
    private volatile @Nullable Queue<PublisherHolds.Hold> holds;
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
        if (inMailbox + queued < highWater || stalled) {
            return false;
        }
        PublisherHolds source = PublisherHolds.current(session);
        if (source == null) {
            return false;
        }
        holds().offer(source.add(this));
        return true;
    }

    @SuppressWarnings("unchecked")
    private Queue<PublisherHolds.Hold> holds() {
        Queue<PublisherHolds.Hold> q = holds;
        if (q == null) {
            Queue<PublisherHolds.Hold> created = PlatformDependent.newMpscQueue(16, 1 << 30);
            Queue<PublisherHolds.Hold> witness = (Queue<PublisherHolds.Hold>) HOLDS.compareAndExchange(this, null, created);
            q = witness == null ? created : witness;
        }
        return q;
    }

    /** The owner's queue length changed (owner loop; cheap: a plain store on x86). */
    void queued(int size) {
        QUEUED.setRelease(this, size);
    }

    /**
     * Releases the held publishers once the backlog is at the low-water mark, or at once when the
     * session has no connection; owner loop.
     */
    void check(int queueSize, int inMailbox, boolean online) {
        QUEUED.setRelease(this, queueSize);
        if (!online || queueSize + inMailbox <= lowWater) {
            if (stalled) {
                stalled = false;
            }
            releaseAll();
        }
    }

    /** Releases every held publisher (the session drained, went offline or ended). */
    void releaseAll() {
        Queue<PublisherHolds.Hold> q = holds;
        if (q == null) {
            return;
        }
        PublisherHolds.Hold h;
        while ((h = q.poll()) != null) {
            h.release();
        }
    }

    /** A hold of this session timed out; publisher loop. */
    void stalled() {
        stalled = true;
    }
}
