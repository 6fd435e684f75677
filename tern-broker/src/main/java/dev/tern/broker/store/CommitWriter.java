package dev.tern.broker.store;

import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer thread and its group commit. Commits from any thread queue up; the writer
 * takes everything queued, applies it to one write batch and writes that with one sync, then
 * completes every commit of the group. While one sync runs the next group gathers, so the number of
 * syncs per second stays bounded by the disk while commits per second grow with load.
 *
 * <p>The writer also watches free space, syncs the log under {@code persistence_sync interval},
 * sweeps expired messages, and, after a failed write, retries (reopening the database if needed)
 * until the storage works again.
 */
final class CommitWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitWriter.class);
    private static final int MAX_GROUP = 4096;
    private static final int SWEEP_LIMIT = 10_000;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SPACE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] PROBE_KEY = Keys.ascii("probe");
    /**
     * A write that takes longer than this counts as stalled: new data is refused until it returns.
     * RocksDB blocks writes, rather than failing them, when its memtables cannot be flushed (a full
     * disk can do that), and an acknowledgement must not wait for ever.
     */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(3);
    /**
     * How long a group that holds early hand-overs gathers before it is written: a subscriber that
     * keeps up acknowledges most of them within it, and an entry acknowledged first is never written
     * nor removed (see {@link EarlyAck}). A message whose copies were not all acknowledged within it
     * has its publisher's acknowledgement delayed by as much.
     * The system property is for benchmarks; 0 turns gathering off.
     */
    static final long EARLY_GATHER_NANOS =
            TimeUnit.MICROSECONDS.toNanos(Long.getLong("tern.store.earlyGatherMicros", 2000));

    /** A test's way to make writes fail as a full or broken disk would. */
    interface FaultInjector {
        void beforeWrite() throws RocksDBException;
    }

    private enum State { OK, LOW_SPACE, FAILED }

    private record Pending(StoreBatch batch, BatchApplier.@Nullable Prepared[] prepared, CompletableFuture<Void> future) {}

    private final RocksDbStore store;
    private final BatchApplier applier;
    private final SyncPolicy policy;
    private final long minFreeBytes;
    private final long sweepNanos;
    private final Queue<Pending> incoming = PlatformDependent.newMpscQueue();
    private final ArrayDeque<Pending> parked = new ArrayDeque<>();
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final WriteOptions plainWrite = new WriteOptions().setSync(false);
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean sleeping;
    private volatile boolean stopping;
    private volatile State state = State.OK;
    private volatile @Nullable String reason;
    private volatile FaultInjector faults = () -> {};
    private volatile LongSupplier freeSpace;
    /** System.nanoTime() when the write in progress began (never 0), or 0 when none is. */
    private volatile long writeStarted;
    /** A stall was reported; its end is reported too. */
    private final AtomicBoolean stallReported = new AtomicBoolean();

    // Writer thread only.
    private boolean unsynced;
    private long lastSync = System.nanoTime();
    private long nextRetry;
    private long nextSpaceCheck;
    private long nextSweep;

    CommitWriter(RocksDbStore store, BatchApplier applier, StoreOptions options, LongSupplier freeSpace) {
        this.store = store;
        this.applier = applier;
        this.policy = options.sync();
        this.minFreeBytes = options.minFreeBytes();
        this.sweepNanos = options.sweepInterval().toNanos();
        this.freeSpace = freeSpace;
        this.nextSweep = System.nanoTime() + sweepNanos;
        this.thread = new Thread(this, "tern-store-writer");
        thread.setDaemon(true);
    }

    void start() {
        checkSpace(System.nanoTime());
        thread.start();
    }

    // ---- any thread --------------------------------------------------------------------------

    /** Queues a commit whose messages were encoded already (the batch's references are given back). */
    CompletableFuture<Void> submit(StoreBatch batch, BatchApplier.@Nullable Prepared[] prepared) {
        if (stopping) {
            return CompletableFuture.failedFuture(new StoreException("the store is closed"));
        }
        if (batch.grows() && (state != State.OK || stalled())) {
            failures.incrementAndGet();
            return CompletableFuture.failedFuture(unavailable());
        }
        Pending p = new Pending(batch, prepared, new CompletableFuture<>());
        incoming.offer(p);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        if (stopping && !thread.isAlive()) {
            failLeftovers(); // closed while we queued: nobody else will complete it
        }
        return p.future;
    }

    Store.Health health() {
        State s = state;
        if (s == State.OK && stalled()) {
            return new Store.Health(false, stallReason());
        }
        return s == State.OK ? Store.Health.OK : new Store.Health(false, reason);
    }

    private boolean stalled() {
        long t = writeStarted;
        return t != 0 && System.nanoTime() - t > STALL_NANOS;
    }

    private String stallReason() {
        long t = writeStarted;
        long seconds = t == 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t);
        return "a write to the store has not completed for " + seconds + " s (is the disk full or failing?)";
    }

    Store.Stats stats(long diskBytes) {
        return new Store.Stats(commits.get(), writes.get(), failures.get(), diskBytes);
    }

    void faults(FaultInjector f) {
        faults = f;
    }

    void freeSpace(LongSupplier f) {
        freeSpace = f;
    }

    /** Stops after writing what was submitted before. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failLeftovers();
        syncWrite.close();
        plainWrite.close();
    }

    private StoreUnavailableException unavailable() {
        boolean stall = state == State.OK && stalled();
        String why = stall ? stallReason() : reason;
        if (stall && stallReported.compareAndSet(false, true)) {
            LOG.error("The store in {}: {}. Refusing new QoS 1/2 work for persistent sessions until it completes.",
                    store.directory(), why);
        }
        return new StoreUnavailableException("the store cannot take new data: " + why);
    }

    private void failLeftovers() {
        Pending p;
        while ((p = incoming.poll()) != null) {
            fail(p, new StoreException("the store is closed"));
        }
    }

    // ---- writer thread -----------------------------------------------------------------------

    @Override
    public void run() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            Pending p;
            while (group.size() < MAX_GROUP && (p = incoming.poll()) != null) {
                group.add(p);
            }
            if (EARLY_GATHER_NANOS > 0 && hasEarlyEntries(group) && !stopping) {
                gather(group);
            }
            long now = System.nanoTime();
            if (!group.isEmpty()) {
                process(group, now);
                group.clear();
                maintain(System.nanoTime());
                continue;
            }
            maintain(now);
            if (stopping) {
                break;
            }
            sleeping = true;
            if (incoming.isEmpty() && !stopping) {
                LockSupport.parkNanos(this, parkNanos(System.nanoTime()));
            }
            sleeping = false;
        }
        finish();
    }

    private static boolean hasEarlyEntries(List<Pending> group) {
        for (int i = 0; i < group.size(); i++) {
            if (group.get(i).batch.hasEarlyEntries()) {
                return true;
            }
        }
        return false;
    }

    /** Lets the PUBACKs of early hand-overs come in, taking what is committed meanwhile into the group. */
    private void gather(List<Pending> group) {
        long until = System.nanoTime() + EARLY_GATHER_NANOS;
        long left;
        while ((left = until - System.nanoTime()) > 0 && !stopping) {
            LockSupport.parkNanos(this, left); // submit() does not wake us: we are not sleeping
        }
        Pending p;
        while (group.size() < MAX_GROUP && (p = incoming.poll()) != null) {
            group.add(p);
        }
    }

    private void process(List<Pending> group, long now) {
        if (state == State.FAILED) {
            for (Pending p : group) {
                holdOrFail(p);
            }
            return;
        }
        List<Pending> applied = new ArrayList<>(group.size());
        try (WriteBatch wb = new WriteBatch()) {
            applier.begin(store.handles(), wb, System.currentTimeMillis());
            for (Pending p : group) {
                if (p.batch.grows() && state != State.OK) {
                    failures.incrementAndGet();
                    fail(p, unavailable());
                    continue;
                }
                applier.savePoint();
                try {
                    applier.apply(p.batch.ops(), p.prepared);
                    applied.add(p);
                } catch (RocksDBException | RuntimeException e) {
                    applier.rollback();
                    LOG.error("A store commit could not be applied and was dropped: {}", e.getMessage());
                    fail(p, e instanceof StoreException se ? se : new StoreException(e.getMessage(), e));
                }
            }
            if (applied.isEmpty()) {
                return;
            }
            applier.finish();
            write(wb, policy.always());
            applier.committed();
        } catch (RocksDBException e) {
            failed(e, now);
            for (Pending p : group) {
                if (!p.future.isDone()) {
                    holdOrFail(p);
                }
            }
            return;
        }
        commits.addAndGet(applied.size());
        for (Pending p : applied) {
            p.future.complete(null);
        }
    }

    private void write(WriteBatch wb, boolean sync) throws RocksDBException {
        writeStarted = System.nanoTime() | 1;
        try {
            faults.beforeWrite();
            store.handles().db.write(sync ? syncWrite : plainWrite, wb);
        } finally {
            writeStarted = 0;
            if (stallReported.compareAndSet(true, false)) {
                LOG.info("The write to the store in {} completed; accepting new work.", store.directory());
            }
        }
        writes.incrementAndGet();
        if (sync) {
            unsynced = false;
            lastSync = System.nanoTime();
        } else {
            unsynced = true;
        }
    }

    /** After a failed write: a batch that adds data fails; one that only removes waits for the storage. */
    private void holdOrFail(Pending p) {
        if (p.batch.grows()) {
            failures.incrementAndGet();
            fail(p, unavailable());
        } else {
            parked.add(p);
        }
    }

    private static void fail(Pending p, Throwable t) {
        p.future.completeExceptionally(t);
    }

    private void failed(RocksDBException e, long now) {
        String why = (RocksHandles.noSpace(e) ? "no space left on the store's file system" : "write failed")
                + " (" + e.getMessage() + ")";
        if (state != State.FAILED) {
            LOG.error("The store in {} cannot be written: {}. Refusing new QoS 1/2 work for persistent sessions"
                    + " until it can.", store.directory(), why);
        }
        reason = why;
        state = State.FAILED;
        applier.forgetKnown(); // what the database holds is not assumed after a failed write
        nextRetry = now + RETRY_NANOS;
    }

    private void maintain(long now) {
        if (minFreeBytes > 0 && now - nextSpaceCheck >= 0) {
            checkSpace(now);
        }
        if (state == State.FAILED && now - nextRetry >= 0) {
            retry(now);
        }
        if (!policy.always() && unsynced && state != State.FAILED && now - lastSync >= policy.interval().toNanos()) {
            writeStarted = now | 1;
            try {
                store.handles().db.syncWal();
                unsynced = false;
                lastSync = now;
            } catch (RocksDBException e) {
                failed(e, now);
            } finally {
                writeStarted = 0;
            }
        }
        if (now - nextSweep >= 0 && state != State.FAILED) {
            nextSweep = now + (sweep() == SWEEP_LIMIT ? 0 : sweepNanos);
        }
    }

    private long parkNanos(long now) {
        long wait = MAX_PARK_NANOS;
        if (!policy.always() && unsynced) {
            wait = Math.min(wait, lastSync + policy.interval().toNanos() - now);
        }
        if (state == State.FAILED) {
            wait = Math.min(wait, nextRetry - now);
        }
        wait = Math.min(wait, nextSweep - now);
        return Math.max(wait, 1000);
    }

    private void checkSpace(long now) {
        nextSpaceCheck = now + SPACE_CHECK_NANOS;
        long free = freeSpace.getAsLong();
        if (free < 0) {
            return; // unknown
        }
        if (free < minFreeBytes && state == State.OK) {
            reason = "only " + mib(free) + " free on the store's file system, below the minimum of "
                    + mib(minFreeBytes);
            state = State.LOW_SPACE;
            LOG.error("The store in {} has {}. Refusing new QoS 1/2 work for persistent sessions until space"
                    + " is freed.", store.directory(), reason);
        } else if (free >= minFreeBytes && state == State.LOW_SPACE) {
            state = State.OK;
            reason = null;
            LOG.info("The store in {} has space again ({} free); accepting new work.", store.directory(), mib(free));
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /** Writes a probe (and the batches held since the failure); on success the store is available again. */
    private void retry(long now) {
        nextRetry = now + RETRY_NANOS;
        if (minFreeBytes > 0 && freeSpace.getAsLong() >= 0 && freeSpace.getAsLong() < minFreeBytes) {
            return;
        }
        List<Pending> held = new ArrayList<>(parked);
        try {
            writeProbe(held);
        } catch (RocksDBException e) {
            // A failed write can leave RocksDB refusing every later one; a fresh open clears that.
            try {
                store.reopen();
                writeProbe(held);
            } catch (RocksDBException | RuntimeException again) {
                reason = "write failed (" + again.getMessage() + ")";
                return;
            }
        }
        parked.clear();
        commits.addAndGet(held.size());
        for (Pending p : held) {
            p.future.complete(null);
        }
        state = State.OK;
        reason = null;
        LOG.info("The store in {} can be written again; accepting new work.", store.directory());
        checkSpace(System.nanoTime());
    }

    private void writeProbe(List<Pending> held) throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            RocksHandles h = store.handles();
            applier.begin(h, wb, System.currentTimeMillis());
            wb.put(h.meta, PROBE_KEY, Keys.u64(System.currentTimeMillis()));
            for (Pending p : held) {
                applier.apply(p.batch.ops(), p.prepared);
            }
            applier.finish();
            write(wb, true);
            applier.committed();
        }
    }

    private int sweep() {
        try (WriteBatch wb = new WriteBatch()) {
            applier.begin(store.handles(), wb, System.currentTimeMillis());
            int n = applier.sweep(SWEEP_LIMIT);
            if (n > 0) {
                write(wb, false);
                LOG.debug("Removed {} expired messages from the store.", n);
            }
            return n;
        } catch (RocksDBException e) {
            failed(e, System.nanoTime());
            return 0;
        }
    }

    private void finish() {
        LOG.debug("The store's writer stops after {} commits in {} writes; early hand-overs: {} entries written, {}"
                + " never written (acknowledged first).", commits.get(), writes.get(), applier.earlyWritten,
                applier.earlyElided);
        if (unsynced && state != State.FAILED) {
            try {
                store.handles().db.syncWal();
            } catch (RocksDBException e) {
                LOG.error("Could not sync the store's log at shutdown: {}", e.getMessage());
            }
        }
        Pending p;
        while ((p = parked.poll()) != null) {
            fail(p, new StoreException("the store closed while it could not be written"));
        }
    }
}
