package dev.tern.broker.config;

import dev.tern.broker.store.StoreOptions;
import dev.tern.broker.store.SyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Durable storage settings ({@code persistence*} options).
 *
 * @param enabled       {@code persistence}, or null for the default: on for {@code tern broker}, off for a
 *                      broker embedded with {@code TernBroker.builder()} (so that tests leave no files)
 * @param location      {@code persistence_location}: the store's directory
 * @param sync          {@code persistence_sync}: {@code always} (fsync before every acknowledgement) or
 *                      {@code interval MS}
 * @param minFreeBytes  {@code persistence_min_free}: below this much free space new QoS 1/2 work for
 *                      persistent sessions is refused
 * @param notices       what the broker says at start-up about accepted Mosquitto options that Tern has no
 *                      use for ({@code persistence_file}, {@code autosave_interval}, {@code autosave_on_changes})
 */
public record PersistenceSettings(@Nullable Boolean enabled, Path location, SyncPolicy sync, long minFreeBytes,
                                  List<String> notices) {
    /** The default location: {@code data/} in the working directory. */
    public static final Path DEFAULT_LOCATION = Path.of("data");

    /** Persistence as {@code tern broker} has it without options. */
    public static final PersistenceSettings DEFAULT = new PersistenceSettings(null, DEFAULT_LOCATION,
            SyncPolicy.ALWAYS, StoreOptions.DEFAULT_MIN_FREE_BYTES, List.of());

    public PersistenceSettings {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(sync, "sync");
        notices = List.copyOf(notices);
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("negative minimum free space");
        }
    }

    /** Whether to persist, given whether the broker is embedded (the default differs). */
    public boolean enabled(boolean embedded) {
        return enabled != null ? enabled : !embedded;
    }

    /** The store's options. */
    public StoreOptions storeOptions() {
        return StoreOptions.defaults(location).withSync(sync).withMinFreeBytes(minFreeBytes);
    }

    public PersistenceSettings withEnabled(@Nullable Boolean v) {
        return new PersistenceSettings(v, location, sync, minFreeBytes, notices);
    }

    public PersistenceSettings withLocation(Path v) {
        return new PersistenceSettings(enabled, v, sync, minFreeBytes, notices);
    }

    public PersistenceSettings withSync(SyncPolicy v) {
        return new PersistenceSettings(enabled, location, v, minFreeBytes, notices);
    }

    public PersistenceSettings withMinFreeBytes(long v) {
        return new PersistenceSettings(enabled, location, sync, v, notices);
    }

    public PersistenceSettings withNotice(String notice) {
        List<String> n = new ArrayList<>(notices);
        n.add(notice);
        return new PersistenceSettings(enabled, location, sync, minFreeBytes, n);
    }
}
