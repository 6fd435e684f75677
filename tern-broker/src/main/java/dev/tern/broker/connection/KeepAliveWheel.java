package dev.tern.broker.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The keep-alive deadlines of all connections of one event loop, in a timing wheel that one task
 * sweeps every {@link #TICK_NANOS}. It replaces an {@code IdleStateHandler} per connection (a
 * handler, its pipeline context and a scheduled task in the loop's priority queue, about 260 bytes,
 * and O(log n) per reschedule) by one {@link Entry} of about 48 bytes in an intrusive list: adding,
 * removing and recording activity are O(1), and a connection is visited about once per keep-alive
 * period (its deadline slot), not once per packet.
 *
 * <p>A deadline is checked exactly against {@link System#nanoTime()} when its slot comes up, so a
 * connection is never closed early; it is closed at most one tick (plus the loop's own delay) late.
 * Deadlines beyond one turn of the wheel are simply put back when their slot comes up too early.
 * The sweep task runs only while the wheel holds entries. Event loop only.
 */
final class KeepAliveWheel {
    /** Sweep period: how late at most a silent connection is closed. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A power of two: 4,096 ticks of 100 ms cover 409.6 s, a keep-alive of 273 s in one turn. */
    private static final int SLOTS = 4096;
    /** Not a tick: where a sweep parks the entries it will put back, so that removals stay O(1) meanwhile. */
    private static final int PARKED = SLOTS;
    private static final FastThreadLocal<KeepAliveWheel> WHEELS = new FastThreadLocal<>();

    /**
     * One connection's keep-alive: when it last read a packet and how long it may stay silent.
     * Linked into the slot of its deadline while armed.
     */
    abstract static class Entry {
        private final long timeoutNanos;
        private long lastActivity;
        private int slot = -1;
        private @Nullable Entry prev;
        private @Nullable Entry next;

        /** @param timeoutNanos the silence after which {@link #expired()} is called (1.5 × keep-alive) */
        Entry(long timeoutNanos) {
            this.timeoutNanos = timeoutNanos;
        }

        /** A packet arrived: the deadline moves to now plus the timeout. */
        final void touch(long nanoTime) {
            lastActivity = nanoTime;
        }

        /** Called by the sweep, after the entry was taken out of the wheel. */
        abstract void expired();
    }

    private final EventExecutor loop;
    private final long origin = System.nanoTime();
    private final @Nullable Entry[] slots = new Entry[SLOTS + 1];
    private final Runnable sweep = this::sweep;
    private long processedTick;
    private int size;
    private boolean running;

    private KeepAliveWheel(EventExecutor loop) {
        this.loop = loop;
    }

    /** The wheel of the calling event loop (created on first use). */
    static KeepAliveWheel of(EventExecutor loop) {
        KeepAliveWheel wheel = WHEELS.get();
        if (wheel == null || wheel.loop != loop) {
            wheel = new KeepAliveWheel(loop);
            WHEELS.set(wheel);
        }
        return wheel;
    }

    /** Number of armed entries (for tests). */
    int size() {
        return size;
    }

    /** Arms {@code e}, counting its silence from now. */
    void add(Entry e) {
        if (e.slot >= 0) {
            return;
        }
        long now = System.nanoTime();
        e.lastActivity = now;
        link(e, now);
        size++;
        if (!running) {
            running = true;
            processedTick = tickOf(now);
            loop.schedule(sweep, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Disarms {@code e}; nothing happens if it is not armed. */
    void remove(Entry e) {
        if (e.slot < 0) {
            return;
        }
        unlink(e);
        size--;
    }

    private long tickOf(long nanoTime) {
        return (nanoTime - origin) / TICK_NANOS;
    }

    /** Into the slot of the first tick after its deadline. */
    private void link(Entry e, long now) {
        long deadline = e.lastActivity + e.timeoutNanos;
        long tick = Math.max(tickOf(deadline) + 1, tickOf(now) + 1);
        linkInto(e, (int) (tick & (SLOTS - 1)));
    }

    private void linkInto(Entry e, int slot) {
        e.slot = slot;
        e.prev = null;
        e.next = slots[slot];
        if (e.next != null) {
            e.next.prev = e;
        }
        slots[slot] = e;
    }

    private void unlink(Entry e) {
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            slots[e.slot] = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.slot = -1;
    }

    private void sweep() {
        long now = System.nanoTime();
        long current = tickOf(now);
        // After a long stall every slot is visited once; entries are checked against the clock anyway.
        long from = Math.max(processedTick + 1, current - SLOTS + 1);
        for (long tick = from; tick <= current; tick++) {
            int slot = (int) (tick & (SLOTS - 1));
            // One entry at a time off the slot, so that an expiry that closes other connections
            // (and removes their entries) leaves every list intact.
            Entry e;
            while ((e = slots[slot]) != null) {
                unlink(e);
                if (now - e.lastActivity >= e.timeoutNanos) {
                    size--;
                    e.expired();
                } else {
                    linkInto(e, PARKED);
                }
            }
            while ((e = slots[PARKED]) != null) {
                unlink(e);
                link(e, now);
            }
        }
        processedTick = current;
        if (size > 0) {
            long nextTickAt = origin + (current + 1) * TICK_NANOS;
            loop.schedule(sweep, Math.max(0, nextTickAt - System.nanoTime()), TimeUnit.NANOSECONDS);
        } else {
            running = false;
        }
    }
}
