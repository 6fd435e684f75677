package dev.tern.cli.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
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
    /** The most copies any publisher had on their way at once (with an end-to-end window). */
    final java.util.concurrent.atomic.LongAccumulator maxOutstanding = new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    /** End-to-end latency in nanoseconds. */
    final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    /** TCP connect to CONNACK (to SUBACK for subscribers) in nanoseconds. */
    final Recorder connect = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    volatile String lastError = "";
    /** Per publisher index: copies its subscribers received (for the end-to-end window). */
    private volatile AtomicLongArray arrived = new AtomicLongArray(0);
    /** Per publisher index: the publisher's connection, to wake it when its window opens. */
    private volatile BenchConnection[] publishers = new BenchConnection[0];

    /** Registers the publishers before publishing starts (indexes are the publishers' indexes). */
    void publishers(java.util.List<BenchConnection> list) {
        int n = 0;
        for (BenchConnection c : list) {
            n = Math.max(n, c.spec().index() + 1);
        }
        BenchConnection[] byIndex = new BenchConnection[n];
        for (BenchConnection c : list) {
            byIndex[c.spec().index()] = c;
        }
        arrived = new AtomicLongArray(n);
        publishers = byIndex;
    }

    /** A subscriber received a copy from publisher {@code index}. */
    void arrived(int index) {
        AtomicLongArray a = arrived;
        if (index < a.length()) {
            a.incrementAndGet(index);
        }
    }

    /** Copies of publisher {@code index}'s messages received so far. */
    long arrivedFrom(int index) {
        AtomicLongArray a = arrived;
        return index < a.length() ? a.get(index) : 0;
    }

    /** Wakes publisher {@code index} if it waits for its end-to-end window. */
    void wake(int index) {
        BenchConnection[] p = publishers;
        if (index < p.length && p[index] != null) {
            p[index].wakeIfBlocked();
        }
    }

    void error(String what) {
        errors.increment();
        lastError = what;
    }

    static Histogram empty() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }
}
