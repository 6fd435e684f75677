package dev.tern.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks on a delegate executor one at a time, in submission order, so that callbacks of one
 * client keep message order even on a thread pool.
 */
final class SerialExecutor implements Executor {
    private final Executor delegate;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        delegate.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (tasks) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).warn("callback failed", e);
            }
        }
    }
}
