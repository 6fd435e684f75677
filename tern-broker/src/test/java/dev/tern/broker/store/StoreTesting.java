package dev.tern.broker.store;

import java.util.function.LongSupplier;

/** Lets tests outside this package make a {@link RocksDbStore}'s writes fail or hang, or its disk fill up. */
public final class StoreTesting {
    private StoreTesting() {}

    /** A fault to throw before each write: an I/O error as a full disk gives, or null for none. */
    public interface Fault {
        /** Throws to make the next write fail; may also block to make it hang. */
        void beforeWrite() throws Exception;
    }

    /** Runs {@code fault} before every write of the store. */
    public static void injectFaults(Store store, Fault fault) {
        ((RocksDbStore) store).injectFaults(() -> {
            try {
                fault.beforeWrite();
            } catch (org.rocksdb.RocksDBException e) {
                throw e;
            } catch (Exception e) {
                throw new org.rocksdb.RocksDBException(e.getMessage(),
                        new org.rocksdb.Status(org.rocksdb.Status.Code.IOError, org.rocksdb.Status.SubCode.NoSpace,
                                String.valueOf(e.getMessage())));
            }
        });
    }

    /** Makes the store believe its file system has this much free space. */
    public static void freeSpace(Store store, LongSupplier bytes) {
        ((RocksDbStore) store).freeSpace(bytes);
    }
}
