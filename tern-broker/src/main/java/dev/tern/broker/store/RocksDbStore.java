package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.broker.TernBroker;
import dev.tern.broker.store.StoreOpenException.Problem;
import dev.tern.codec.QoS;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link Store}: an embedded RocksDB database in one directory (format
 * {@value #FORMAT_VERSION}, see {@link Keys} and {@link RecordCodec}). Commits go through one writer
 * thread with group commit ({@link CommitWriter}); queue reads run on a small pool of reader threads,
 * never on the caller's. Offline queues live on disk: the heap holds no queued message.
 *
 * <p>Open with {@link #open(StoreOptions)}; a directory that is not a readable Tern store of a known
 * format is refused with a {@link StoreOpenException} saying what is wrong; {@link #moveAside(Path)}
 * is the documented way out for a damaged or foreign one.
 */
public final class RocksDbStore implements Store {
    /** The on-disk format this version writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(RocksDbStore.class);
    private static final int READERS = 2;

    private final StoreOptions options;
    private final ReentrantReadWriteLock handlesLock = new ReentrantReadWriteLock();
    private volatile @Nullable RocksHandles handles;
    private final AtomicLong sessionKeys;
    private final BatchApplier applier;
    private final CommitWriter writer;
    private final ExecutorService readers;
    private boolean recovered;
    private volatile boolean closed;

    private RocksDbStore(StoreOptions options, RocksHandles handles, long nextMessageId, long nextSessionKey,
                         LongSupplier freeSpace) {
        this.options = options;
        this.handles = handles;
        this.sessionKeys = new AtomicLong(nextSessionKey - 1);
        this.applier = new BatchApplier(nextMessageId, nextSessionKey - 1);
        this.writer = new CommitWriter(this, applier, options, freeSpace);
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r, "tern-store-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the store in {@code options.directory()}, creating it if the directory is empty or missing.
     *
     * @throws StoreOpenException if the directory cannot be used; the message says why and what to do
     */
    public static RocksDbStore open(StoreOptions given) {
        long start = System.nanoTime();
        Path dir = given.directory().toAbsolutePath().normalize(); // messages name the full path
        StoreOptions options = given.withDirectory(dir);
        StoreDirectory.State state = StoreDirectory.inspect(dir, FORMAT_VERSION);
        if (state == StoreDirectory.State.EXISTING) {
            checkFamilies(dir);
        }
        RocksHandles h;
        try {
            h = RocksHandles.open(dir, options.cacheBytes(), true);
        } catch (RocksDBException e) {
            throw openFailure(dir, e);
        }
        try {
            long nextMessageId;
            long nextSessionKey;
            byte[] format = h.db.get(h.meta, Keys.META_FORMAT);
            if (format == null) {
                if (state == StoreDirectory.State.EXISTING && hasData(h)) {
                    throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir
                            + " has data but no format record");
                }
                h.db.put(h.meta, Keys.META_FORMAT, Keys.u64(FORMAT_VERSION));
                h.db.put(h.meta, Keys.META_WRITER, Keys.ascii("tern " + TernBroker.version()));
                h.db.syncWal();
                nextMessageId = 1;
                nextSessionKey = 1;
            } else {
                long version = format.length == 8 ? Keys.getLong(format, 0) : -1;
                if (version > FORMAT_VERSION) {
                    throw new StoreOpenException(Problem.NEWER_VERSION, dir, "the store in " + dir + " has format "
                            + version + ", written by a newer version of Tern; this version reads format "
                            + FORMAT_VERSION + " only");
                }
                if (version != FORMAT_VERSION) {
                    throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir
                            + " has an unreadable format record");
                }
                nextMessageId = Math.max(1, counter(h, Keys.META_NEXT_MESSAGE_ID));
                nextSessionKey = Math.max(1, counter(h, Keys.META_NEXT_SESSION_KEY));
            }
            RocksDbStore store = new RocksDbStore(options, h, nextMessageId, nextSessionKey, freeSpaceOf(dir));
            store.writer.start();
            LOG.info("Opened the store in {} (format {}, persistence_sync {}) in {} ms.", dir, FORMAT_VERSION,
                    options.sync(), (System.nanoTime() - start) / 1_000_000);
            return store;
        } catch (RocksDBException e) {
            h.close();
            throw openFailure(dir, e);
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private static void checkFamilies(Path dir) {
        Set<String> families;
        try {
            families = RocksHandles.listFamilies(dir);
        } catch (RocksDBException e) {
            throw openFailure(dir, e);
        }
        Set<String> missing = new HashSet<>(RocksHandles.FAMILIES);
        missing.removeAll(families);
        if (!missing.isEmpty()) {
            throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir
                    + " lacks the column families " + missing);
        }
    }

    private static boolean hasData(RocksHandles h) {
        for (var cf : List.of(h.sessions, h.queues, h.messages, h.retained)) {
            try (RocksIterator it = h.db.newIterator(cf)) {
                it.seekToFirst();
                if (it.isValid()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long counter(RocksHandles h, byte[] key) throws RocksDBException {
        byte[] v = h.db.get(h.meta, key);
        return v == null || v.length != 8 ? 0 : Keys.getLong(v, 0);
    }

    private static LongSupplier freeSpaceOf(Path dir) {
        return () -> {
            try {
                return Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                return -1;
            }
        };
    }

    static StoreOpenException openFailure(Path dir, RocksDBException e) {
        String detail = e.getMessage() == null ? String.valueOf(e.getStatus()) : e.getMessage();
        Status.Code code = RocksHandles.code(e);
        if (detail.contains("/LOCK") || detail.contains("lock hold by")) {
            return new StoreOpenException(Problem.LOCKED, dir, "the store in " + dir
                    + " is in use by another process (" + detail + ")", e);
        }
        if (code == Status.Code.IOError && (detail.contains("Permission denied") || detail.contains("Read-only")
                || detail.contains("Operation not permitted"))) {
            return new StoreOpenException(Problem.INACCESSIBLE, dir, "the store in " + dir + " cannot be written ("
                    + detail + ")", e);
        }
        return new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir + " is damaged: " + detail, e);
    }

    /**
     * Renames a damaged or foreign store directory to {@code NAME.corrupt-YYYYMMDD-HHMMSS} beside it, so
     * that the next start begins with an empty store. Nothing is deleted.
     *
     * @return the new name of the old directory, or null if there was nothing to move
     */
    public static @Nullable Path moveAside(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return null;
        }
        return StoreDirectory.moveAside(dir);
    }

    // ---- Store -------------------------------------------------------------------------------

    @Override
    public synchronized RecoveredState recover() {
        if (recovered) {
            throw new IllegalStateException("recover() runs once, at start-up");
        }
        recovered = true;
        long start = System.nanoTime();
        RocksHandles h = handles;
        if (h == null) {
            throw new StoreException("the store is not open");
        }
        RecoveryScan scan = new RecoveryScan(h, options.directory());
        RecoveryScan.Result r = scan.run(System.currentTimeMillis(), ByteBufAllocator.DEFAULT);
        sessionKeys.accumulateAndGet(r.maxSessionKey(), Math::max);
        if (!r.cleanup().isEmpty()) {
            LOG.warn("The store in {} held {} records of sessions that no longer exist; removing them.",
                    options.directory(), r.cleanup().ops().size());
            commit(r.cleanup());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("Read the store in {}: {} sessions, {} queued messages, {} retained messages in {} ms ({}).",
                options.directory(), r.sessions().size(), r.queuedMessages(), r.retained().size(), took.toMillis(),
                r.timings());
        return new RecoveredState(r.sessions(), r.retained(), r.queuedMessages(), took);
    }

    @Override
    public long newSessionKey() {
        return sessionKeys.incrementAndGet();
    }

    @Override
    public CompletableFuture<Void> commit(StoreBatch batch) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        BatchApplier.Prepared[] prepared;
        try {
            prepared = prepare(batch);
        } finally {
            batch.releaseMessages();
        }
        return writer.submit(batch, prepared);
    }

    /** Encodes the batch's messages on the committing thread, so that the one writer thread only writes. */
    private static BatchApplier.@Nullable Prepared[] prepare(StoreBatch batch) {
        List<StoreOp> ops = batch.ops();
        BatchApplier.Prepared[] prepared = new BatchApplier.Prepared[ops.size()];
        long now = System.currentTimeMillis();
        for (int i = 0; i < ops.size(); i++) {
            Message m = switch (ops.get(i)) {
                case StoreOp.Enqueue e -> e.message();
                case StoreOp.PutRetained r -> r.message();
                default -> null;
            };
            if (m != null) {
                long received = now - Math.max(0, (System.nanoTime() - m.receivedAtNanos()) / 1_000_000);
                prepared[i] = new BatchApplier.Prepared(RecordCodec.message(m, received),
                        RecordCodec.expiresAt(received, m.properties()));
            }
        }
        return prepared;
    }

    @Override
    public CompletableFuture<List<QueueEntry>> readQueue(long sessionKey, long fromSeq, int max) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException("the store is closed"));
        }
        return CompletableFuture.supplyAsync(() -> read(sessionKey, fromSeq, max), readers);
    }

    private List<QueueEntry> read(long sessionKey, long fromSeq, int max) {
        handlesLock.readLock().lock();
        try {
            RocksHandles h = handles;
            if (h == null) {
                throw new StoreException("the store cannot be read at the moment: " + writer.health().reason());
            }
            List<byte[]> keys = new ArrayList<>();
            List<RecordCodec.Entry> entries = new ArrayList<>();
            try (Slice upper = new Slice(Keys.queueSummary(sessionKey)); // entries only, not the summary
                 ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = h.db.newIterator(h.queues, ro)) {
                for (it.seek(Keys.queueEntry(sessionKey, fromSeq)); it.isValid() && entries.size() < max; it.next()) {
                    byte[] key = it.key();
                    keys.add(key);
                    entries.add(decodeEntry(key, it.value()));
                }
                it.status();
            }
            List<byte[]> ids = new ArrayList<>();
            for (RecordCodec.Entry e : entries) {
                if (e != null && !e.released() && e.inlineMessage() == null) {
                    ids.add(Keys.u64(e.messageId()));
                }
            }
            List<byte[]> records;
            try (ReadOptions ro = new ReadOptions()) {
                records = ids.isEmpty() ? List.of() : h.db.multiGetAsList(ro, Collections.nCopies(ids.size(),
                        h.messages), ids);
            }
            Map<Long, byte[]> byId = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                if (records.get(i) != null) {
                    byId.put(Keys.getLong(ids.get(i), 0), records.get(i));
                }
            }
            long now = System.currentTimeMillis();
            List<QueueEntry> out = new ArrayList<>(entries.size());
            try {
                for (int i = 0; i < entries.size(); i++) {
                    long seq = Keys.getLong(keys.get(i), 8);
                    RecordCodec.Entry e = entries.get(i);
                    if (e == null) {
                        out.add(new QueueEntry(seq, QoS.AT_MOST_ONCE, false, List.of(), false, null));
                        continue;
                    }
                    Message m = null;
                    byte[] record = e.released() ? null
                            : e.inlineMessage() != null ? e.inlineMessage() : byId.get(e.messageId());
                    if (record != null) {
                        try {
                            m = RecordCodec.message("message " + e.messageId(), record).toMessage(now,
                                    ByteBufAllocator.DEFAULT);
                        } catch (CorruptRecordException c) {
                            LOG.error("Dropping a damaged message from the store: {}", c.getMessage());
                        }
                    }
                    out.add(new QueueEntry(seq, e.qos(), e.retain(), e.subscriptionIds(), e.released(), m));
                }
            } catch (RuntimeException ex) {
                out.forEach(QueueEntry::release);
                throw ex;
            }
            return out;
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the queue of session " + sessionKey + ": " + e.getMessage(), e);
        } finally {
            handlesLock.readLock().unlock();
        }
    }

    private static RecordCodec.@Nullable Entry decodeEntry(byte[] key, byte[] value) {
        try {
            return RecordCodec.entry(BatchApplier.entryName(key), value);
        } catch (CorruptRecordException e) {
            LOG.error("Dropping a damaged entry from the store: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public SyncPolicy syncPolicy() {
        return options.sync();
    }

    @Override
    public Health health() {
        return writer.health();
    }

    @Override
    public Stats stats() {
        return writer.stats(StoreDirectory.size(options.directory()));
    }

    /** The store's directory. */
    public Path directory() {
        return options.directory();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.stop();
        readers.shutdown();
        try {
            readers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handlesLock.writeLock().lock();
        try {
            RocksHandles h = handles;
            if (h != null && writer.health().available()) {
                try {
                    h.flush(); // the next start-up then has no log to replay
                } catch (RocksDBException e) {
                    LOG.warn("Could not flush the store at shutdown ({}); the next start replays its log.",
                            e.getMessage());
                }
            }
            applier.close();
            if (h != null) {
                h.close();
                handles = null;
            }
        } finally {
            handlesLock.writeLock().unlock();
        }
    }

    // ---- for the writer and tests ------------------------------------------------------------

    /** The open database; fails while a reopen after a failed write has not succeeded yet. */
    RocksHandles handles() throws RocksDBException {
        RocksHandles h = handles;
        if (h == null) {
            throw new RocksDBException("the database is closed after a failed write and could not be opened again");
        }
        return h;
    }

    /**
     * Closes and opens the database again, which clears RocksDB's refusal of writes after a failed one.
     * Writer thread.
     */
    void reopen() throws RocksDBException {
        handlesLock.writeLock().lock();
        try {
            RocksHandles old = handles;
            if (old != null) {
                handles = null;
                old.close();
            }
            handles = RocksHandles.open(options.directory(), options.cacheBytes(), false);
            LOG.info("Reopened the store in {} after a failed write.", options.directory());
        } finally {
            handlesLock.writeLock().unlock();
        }
    }

    void injectFaults(CommitWriter.FaultInjector faults) {
        writer.faults(faults);
    }

    void freeSpace(LongSupplier freeSpace) {
        writer.freeSpace(freeSpace);
    }

    /** Removals that needed no read of their entry; for tests (read after a commit completed). */
    long removalsWithoutRead() {
        return applier.removalsWithoutRead();
    }
}
