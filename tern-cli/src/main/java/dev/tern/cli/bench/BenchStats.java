package dev.tern.cli.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Counters and latency histograms shared by all connections of a run (written from the event loops). */
final class BenchStats {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder outOfOrder = new LongAdder();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    /** End-to-end latency in nanoseconds. */
    final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    /** TCP connect to CONNACK (to SUBACK for subscribers) in nanoseconds. */
    final Recorder connect = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    volatile String lastError = "";

    void error(String what) {
        errors.increment();
        lastError = what;
    }

    static Histogram empty() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }
}
