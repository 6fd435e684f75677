package dev.tern.broker.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * The race between the store's writer and a subscriber for one queue entry whose QoS 1 message went
 * to its connected session before the entry was durable (an early hand-over). Whichever comes first
 * decides: if the subscriber's PUBACK wins ({@link #elide()}), the entry is never written nor removed
 * — the message has reached everyone it was queued for, so nothing acknowledged can be lost; if the
 * writer wins ({@link #write()}), the entry is written and its PUBACK removes it as usual.
 *
 * <p>Only QoS 1 qualifies: a crash after an early copy and before the write makes the publisher send
 * again, which QoS 1 allows as a duplicate and QoS 2 does not.
 *
 * <p>Separately, the one decrement of the session's entry count is claimed once ({@link
 * #claimRemoval()}), by the PUBACK or by the publisher when the commit failed, whichever runs first.
 * Thread-safe.
 */
public final class EarlyAck {
    private static final int PENDING = 0;
    private static final int WRITTEN = 1;
    private static final int ELIDED = 2;
    private static final VarHandle STATE;
    private static final VarHandle REMOVAL_CLAIMED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(EarlyAck.class, "state", int.class);
            REMOVAL_CLAIMED = l.findVarHandle(EarlyAck.class, "removalClaimed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** Told when this entry is elided. */
    private final @Nullable Runnable onElided;

    /** An entry whose elision nobody is told of. */
    public EarlyAck() {
        this(null);
    }

    /** @param onElided run (once, on the acknowledging thread) when a PUBACK elides the entry */
    public EarlyAck(@Nullable Runnable onElided) {
        this.onElided = onElided;
    }
    @SuppressWarnings("unused") // through REMOVAL_CLAIMED
    private volatile boolean removalClaimed;

    /** The writer's claim: true if the entry must be written (no PUBACK came first). */
    public boolean write() {
        int s = (int) STATE.compareAndExchange(this, PENDING, WRITTEN);
        return s != ELIDED;
    }

    /** The subscriber's PUBACK: true if it came first, so the entry is never written nor removed. */
    public boolean elide() {
        int s = (int) STATE.compareAndExchange(this, PENDING, ELIDED);
        if (s == PENDING) {
            Runnable r = onElided;
            if (r != null) {
                r.run();
            }
        }
        return s == PENDING || s == ELIDED;
    }


    /** True once a PUBACK made the entry unnecessary; a later copy of the message is then not sent. */
    public boolean elided() {
        return state == ELIDED;
    }

    /** True once the entry was counted as gone (its flow completed, or its commit failed). */
    public boolean removalClaimed() {
        return removalClaimed;
    }

    /** True for exactly one caller: the one that counts the entry as gone. */
    public boolean claimRemoval() {
        return REMOVAL_CLAIMED.compareAndSet(this, false, true);
    }
}
