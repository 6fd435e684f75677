package dev.tern.broker.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the durable store.
 *
 * @param directory      where the store lives ({@code persistence_location})
 * @param sync           when a commit counts as durable ({@code persistence_sync})
 * @param minFreeBytes   below this much free space on the store's file system new data is refused
 *                       (commits that grow the store fail), so that the store never runs the disk
 *                       completely full; 0 turns the check off
 * @param sweepInterval  how often expired messages are removed and their space reclaimed
 * @param cacheBytes     off-heap memory for RocksDB's block cache; as much again at most for write buffers
 */
public record StoreOptions(Path directory, SyncPolicy sync, long minFreeBytes, Duration sweepInterval,
                           long cacheBytes) {
    /** 64 MiB. */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;

    public StoreOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        if (minFreeBytes < 0 || cacheBytes < (1 << 20) || sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("invalid store options");
        }
    }

    /** Defaults for a directory: fsync before every acknowledgement. */
    public static StoreOptions defaults(Path directory) {
        return new StoreOptions(directory, SyncPolicy.ALWAYS, DEFAULT_MIN_FREE_BYTES, Duration.ofSeconds(30),
                32L << 20);
    }

    public StoreOptions withDirectory(Path v) {
        return new StoreOptions(v, sync, minFreeBytes, sweepInterval, cacheBytes);
    }

    public StoreOptions withSync(SyncPolicy v) {
        return new StoreOptions(directory, v, minFreeBytes, sweepInterval, cacheBytes);
    }

    public StoreOptions withMinFreeBytes(long v) {
        return new StoreOptions(directory, sync, v, sweepInterval, cacheBytes);
    }

    public StoreOptions withSweepInterval(Duration v) {
        return new StoreOptions(directory, sync, minFreeBytes, v, cacheBytes);
    }

    public StoreOptions withCacheBytes(long v) {
        return new StoreOptions(directory, sync, minFreeBytes, sweepInterval, v);
    }
}
