package dev.tern.broker.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where the broker keeps the state that must outlive a restart. Thread-safe: any event loop may
 * commit and read at any time. The life cycle is {@link #recover()} once, then commits and reads,
 * then {@link #close()}.
 *
 * <p><b>Durability.</b> The future of {@link #commit} completes normally only when the batch survives
 * what the store promises to survive (see {@link #durable()} and {@link SyncPolicy}). Commits made
 * one after another on one thread are applied and completed in that order. Many commits are grouped
 * into one write and one sync, so that waiting for durability costs little under load.
 *
 * <p><b>Failure.</b> When the storage cannot be written (disk full, I/O error), commits that add data
 * ({@link StoreBatch#grows()}) fail with {@link StoreUnavailableException} and change nothing, while
 * commits that only remove data are held and applied when the storage works again; {@link #health()}
 * says which state the store is in.
 */
public interface Store extends AutoCloseable {

    /** Reads what is stored, at start-up, before any commit. Retained messages come with a reference each. */
    RecoveredState recover();

    /** A new session key: never the key of a session stored before, also across restarts. */
    long newSessionKey();

    /**
     * Applies a batch atomically; see the class comment for when the future completes. Dependent
     * actions may run on the store's writer thread: hand work over to your own thread there, and never
     * wait for another commit (that would stop the writer).
     */
    CompletableFuture<Void> commit(StoreBatch batch);

    /**
     * Reads up to {@code max} entries of a session's queue, from sequence number {@code fromSeq} on,
     * in order. Only committed entries are seen. Entries whose message expired come with a null message
     * and should be removed by the caller.
     */
    CompletableFuture<List<QueueEntry>> readQueue(long sessionKey, long fromSeq, int max);

    /** True if what is committed survives a restart (the in-memory store: false). */
    boolean durable();

    /** The sync policy in force. */
    SyncPolicy syncPolicy();

    /** Whether the store accepts new data, and if not why. */
    Health health();

    /** Sizes, for $SYS and benchmarks. */
    Stats stats();

    /** Completes outstanding commits, then releases everything. Later commits fail. */
    @Override
    void close();

    /**
     * The store's state.
     *
     * @param available true while new data is accepted
     * @param reason    why not, or null when available
     */
    record Health(boolean available, @Nullable String reason) {
        public static final Health OK = new Health(true, null);
    }

    /**
     * Counters.
     *
     * @param commits    batches committed
     * @param syncs      writes to storage (each covers one or more commits: the group commit)
     * @param failures   commits refused because the store was unavailable
     * @param diskBytes  bytes the store occupies on disk (0 in memory)
     */
    record Stats(long commits, long syncs, long failures, long diskBytes) {}
}
