package dev.tern.broker.connection;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Keeps what one connection's packets cause in the order the packets arrived, when some of them must
 * wait for the store first. A PUBLISH whose message is stored for a persistent session is delivered
 * and acknowledged once the store has it; a later PUBLISH of the same connection that needs no store
 * must not overtake it: PUBACK and PUBREC go out in the order of the PUBLISHes (MQTT-4.6.0-2,
 * MQTT-4.6.0-3) and subscribers get one publisher's messages in its order (MQTT-4.6.0-6). While
 * nothing waits, a step runs at once, so the in-memory path costs nothing. Event loop only.
 */
final class PublishSequencer {
    private record Step(CompletableFuture<?> ready, Consumer<@Nullable Throwable> action) {}

    /** Created by the first step that waits (112 bytes a connection without a store never needs). */
    private @Nullable ArrayDeque<Step> steps;
    private final Executor loop;
    private final Runnable afterDrain;
    private final Runnable drain = this::drain;

    /**
     * @param loop       the connection's event loop, where every action runs
     * @param afterDrain runs after the steps that waited have run (a flush of what they wrote)
     */
    PublishSequencer(Executor loop, Runnable afterDrain) {
        this.loop = loop;
        this.afterDrain = afterDrain;
    }

    /**
     * Runs {@code action} once {@code ready} has completed and every earlier step has run, on the event
     * loop. The action gets the failure of {@code ready}, or null.
     */
    void submit(CompletableFuture<?> ready, Consumer<@Nullable Throwable> action) {
        ArrayDeque<Step> q = steps;
        if ((q == null || q.isEmpty()) && ready.isDone()) {
            run(ready, action);
            return;
        }
        if (q == null) {
            q = new ArrayDeque<>();
            steps = q;
        }
        q.add(new Step(ready, action));
        if (!ready.isDone()) {
            ready.whenComplete((v, e) -> loop.execute(drain));
        } else {
            loop.execute(drain);
        }
    }

    /** Runs an action in order with the steps before it, needing nothing itself. */
    void submit(Runnable action) {
        if (waiting() == 0) {
            action.run(); // nothing waits: the common case costs no step
            return;
        }
        submit(DONE, e -> action.run());
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Steps waiting. */
    int waiting() {
        return steps == null ? 0 : steps.size();
    }

    private void drain() {
        ArrayDeque<Step> q = steps;
        if (q == null) {
            return;
        }
        Step s;
        boolean ran = false;
        while ((s = q.peek()) != null && s.ready.isDone()) {
            q.poll();
            run(s.ready, s.action);
            ran = true;
        }
        if (ran) {
            afterDrain.run();
        }
    }

    private static void run(CompletableFuture<?> ready, Consumer<@Nullable Throwable> action) {
        Throwable error = null;
        if (ready.isCompletedExceptionally()) {
            try {
                ready.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
        }
        action.accept(error);
    }
}
