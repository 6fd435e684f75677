package dev.tern.broker.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksObject;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBufferManager;

/**
 * An open RocksDB database with Tern's column families, and every native object that belongs to it.
 * Closing releases them all.
 */
final class RocksHandles implements AutoCloseable {
    static final String SESSIONS = "sessions";
    static final String QUEUES = "queues";
    static final String MESSAGES = "messages";
    static final String REFS = "refs";
    static final String RETAINED = "retained";
    static final String EXPIRY = "expiry";
    /** Tern's column families besides RocksDB's "default", which holds the meta keys. */
    static final List<String> FAMILIES = List.of(SESSIONS, QUEUES, MESSAGES, REFS, RETAINED, EXPIRY);

    static {
        RocksDB.loadLibrary();
    }

    final RocksDB db;
    final ColumnFamilyHandle meta;
    final ColumnFamilyHandle sessions;
    final ColumnFamilyHandle queues;
    final ColumnFamilyHandle messages;
    final ColumnFamilyHandle refs;
    final ColumnFamilyHandle retained;
    final ColumnFamilyHandle expiry;
    private final List<ColumnFamilyHandle> handles;
    private final List<RocksObject> owned;

    private RocksHandles(RocksDB db, List<ColumnFamilyHandle> handles, List<RocksObject> owned) {
        this.handles = handles;
        this.db = db;
        this.meta = handles.get(0);
        this.sessions = handles.get(1);
        this.queues = handles.get(2);
        this.messages = handles.get(3);
        this.refs = handles.get(4);
        this.retained = handles.get(5);
        this.expiry = handles.get(6);
        this.owned = owned;
    }

    /** The column families of an existing database, or null if the directory holds none. */
    static Set<String> listFamilies(Path dir) throws RocksDBException {
        try (Options o = new Options()) {
            Set<String> names = new HashSet<>();
            for (byte[] n : RocksDB.listColumnFamilies(o, dir.toString())) {
                names.add(new String(n, StandardCharsets.UTF_8));
            }
            return names;
        }
    }

    /**
     * Opens (or, with {@code create}, creates) the database in {@code dir}.
     *
     * @param cacheBytes block cache size; write buffers may use as much again
     */
    static RocksHandles open(Path dir, long cacheBytes, boolean create) throws RocksDBException {
        List<RocksObject> owned = new ArrayList<>();
        try {
            Cache cache = own(owned, new LRUCache(cacheBytes));
            WriteBufferManager wbm = own(owned, new WriteBufferManager(cacheBytes, cache));
            DBOptions dbo = own(owned, new DBOptions()
                    .setCreateIfMissing(create)
                    .setCreateMissingColumnFamilies(create)
                    .setErrorIfExists(false)
                    .setParanoidChecks(true)
                    // A torn write at the end of the log (power loss during a sync) is dropped; every
                    // acknowledged commit was synced before it and survives.
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setWriteBufferManager(wbm)
                    // Bounds the log that start-up replays after a crash: older memtables are flushed.
                    .setMaxTotalWalSize(64L << 20)
                    .setMaxBackgroundJobs(2)
                    .setBytesPerSync(1L << 20)
                    .setKeepLogFileNum(3)
                    .setMaxLogFileSize(8L << 20)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    // Retryable I/O errors in flushes and compactions are retried by RocksDB itself.
                    .setMaxBgErrorResumeCount(Integer.MAX_VALUE)
                    .setBgerrorResumeRetryInterval(1_000_000));
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, family(owned, cache, 4L << 20)));
            for (String name : FAMILIES) {
                long buffer = name.equals(MESSAGES) || name.equals(QUEUES) ? 32L << 20 : 8L << 20;
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8),
                        family(owned, cache, buffer)));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbo, dir.toString(), descriptors, handles);
            return new RocksHandles(db, handles, owned);
        } catch (RocksDBException | RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    private static ColumnFamilyOptions family(List<RocksObject> owned, Cache cache, long writeBuffer) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setFilterPolicy(own(owned, new BloomFilter(10)));
        ColumnFamilyOptions o = own(owned, new ColumnFamilyOptions()
                .setWriteBufferSize(writeBuffer)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(table)
                .setLevelCompactionDynamicLevelBytes(true));
        return o;
    }

    private static <T extends RocksObject> T own(List<RocksObject> owned, T o) {
        owned.add(o);
        return o;
    }

    /** Writes memtables to files, so that the next start-up replays no log. */
    void flush() throws RocksDBException {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, handles);
        }
    }

    @Override
    public void close() {
        closeAll(handles); // RocksJava: column family handles before the database
        try {
            db.closeE();
        } catch (RocksDBException e) {
            // The handles are released below in any case; nothing else can be done about it.
        }
        closeAll(owned);
    }

    private static void closeAll(List<? extends RocksObject> objects) {
        for (int i = objects.size() - 1; i >= 0; i--) {
            objects.get(i).close();
        }
    }

    /** The status code of a RocksDB exception, or Undefined. */
    static Status.Code code(RocksDBException e) {
        Status s = e.getStatus();
        return s == null ? Status.Code.Undefined : s.getCode();
    }

    static boolean noSpace(RocksDBException e) {
        Status s = e.getStatus();
        return s != null && s.getSubCode() == Status.SubCode.NoSpace;
    }
}
