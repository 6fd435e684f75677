package dev.tern.broker.session;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The holds that congested sessions put on one publishing connection (back-pressure, see
 * {@link BackPressure}). While any hold is on, the connection stops reading and keeps the packets it
 * already read; the last hold to go resumes it. A hold lasts at most {@code max_publisher_hold}: a session
 * that did not drain to its low-water mark by then is marked stalled and stops holding publishers (it
 * drops at its queue limit instead), so a subscriber that stops reading, or publishers that feed each
 * other's congested sessions, cannot stop anyone for longer. Event loop of the connection only, apart
 * from {@link Hold#release}.
 */
public final class PublisherHolds {
    /** The holds of the connection whose PUBLISH this event loop is routing now, else unset. */
    private static final FastThreadLocal<@Nullable PublisherHolds> ROUTING = new FastThreadLocal<>();

    /** What a hold does to the connection. */
    public interface Target {
        /** Stops ({@code true}) or resumes reading; called on the transitions only. */
        void holdReading(boolean held);
    }

    private final EventLoop loop;
    private final Target target;
    /** How long a session may hold this connection before it counts as stalled; 0 = never held. */
    private final long limitNanos;
    /** Created by the first hold: most connections are never held (48 bytes each spared). */
    private @Nullable List<Hold> holds;
    private @Nullable Session own;
    private @Nullable ScheduledFuture<?> stallTimer;

    /**
     * @param limit {@code max_publisher_hold}: how long one episode may hold the connection; zero turns
     *              back-pressure off for it
     */
    public PublisherHolds(EventLoop loop, Target target, java.time.Duration limit) {
        this.loop = loop;
        this.target = target;
        this.limitNanos = limit.toNanos();
    }

    /** True while some session holds this connection. */
    public boolean held() {
        return holds != null && !holds.isEmpty();
    }

    /**
     * Marks this connection as the one routing a PUBLISH on this thread until {@link #routingDone}; a
     * session it feeds that is above its high-water mark holds it. Its own session never does (it would
     * hold the reading of its own acknowledgements).
     */
    public void routing(Session ownSession) {
        if (limitNanos > 0) {
            own = ownSession;
            ROUTING.set(this);
        }
    }

    /** The PUBLISH is routed. */
    public static void routingDone() {
        ROUTING.set(null); // not remove(): that would update the thread's clean-up set on every PUBLISH
    }

    /** The connection routing on this thread, if it may be held by {@code session}. */
    static @Nullable PublisherHolds current(Session session) {
        PublisherHolds h = ROUTING.getIfExists();
        return h == null || h.own == session ? null : h;
    }

    /** A congested session holds this connection; on its loop, while it routes. */
    Hold add(BackPressure by) {
        Hold h = new Hold(this, by);
        List<Hold> list = holds;
        if (list == null) {
            list = new ArrayList<>(2);
            holds = list;
        }
        list.add(h);
        if (list.size() == 1) {
            target.holdReading(true);
            stallTimer = loop.schedule(this::stalled, limitNanos, TimeUnit.NANOSECONDS);
        }
        return h;
    }

    private void remove(Hold h) {
        if (holds != null && holds.remove(h) && holds.isEmpty()) {
            if (stallTimer != null) {
                stallTimer.cancel(false);
                stallTimer = null;
            }
            target.holdReading(false);
        }
    }

    /** A hold lasted {@code max_publisher_hold}: its sessions stop exerting back-pressure, reading resumes. */
    private void stalled() {
        stallTimer = null;
        if (holds != null) {
            for (Hold h : holds) {
                if (h.end()) {
                    h.by.stalled();
                }
            }
            holds.clear();
        }
        target.holdReading(false);
    }

    /** One session's hold on one connection; ended exactly once, by the session or by the stall timer. */
    static final class Hold {
        private final PublisherHolds holds;
        private final BackPressure by;
        private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

        Hold(PublisherHolds holds, BackPressure by) {
            this.holds = holds;
            this.by = by;
        }

        private boolean end() {
            return ended.compareAndSet(false, true);
        }

        /** The session drained (or went away): resume the connection, on its loop. Any thread. */
        void release() {
            if (end()) {
                holds.loop.execute(() -> holds.remove(this));
            }
        }
    }
}
