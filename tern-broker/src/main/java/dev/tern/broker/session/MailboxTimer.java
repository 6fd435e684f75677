package dev.tern.broker.session;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A one-shot timer of a session whose task runs through the session's mailbox, so on its owner loop
 * and in order with everything else. Cancelling also disarms a timer that already fired and whose task
 * still waits in the mailbox (a generation counter). Owner loop only.
 */
final class MailboxTimer {
    private final Session session;
    private @Nullable ScheduledFuture<?> future;
    private long generation;

    MailboxTimer(Session session) {
        this.session = session;
    }

    /** Runs the task after the delay, replacing what was scheduled. */
    void schedule(long seconds, Runnable task) {
        cancel();
        long armed = ++generation;
        future = session.ownerLoop().schedule(() -> session.execute(() -> {
            if (armed == generation) {
                future = null;
                task.run();
            }
        }), seconds, TimeUnit.SECONDS);
    }

    void cancel() {
        generation++;
        if (future != null) {
            future.cancel(false);
            future = null;
        }
    }
}
