package dev.tern.broker.store;

import dev.tern.broker.routing.Message;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Writes the store fixtures checked in under {@code src/test/resources/store-fixtures}: a valid store
 * of format 1 with known content, and damaged, truncated, newer and foreign variants of it. They are
 * generated once and kept, so that a later Tern is tested against stores an earlier one wrote.
 * Regenerate (only when the format changes, with a new name) with:
 *
 * <pre>
 * ./build -- -q -o -pl tern-broker -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp tern-broker/target/classes:tern-broker/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.tern.broker.store.StoreFixtures tern-broker/src/test/resources/store-fixtures
 * </pre>
 */
public final class StoreFixtures {
    static final String VALID = "format1-valid";
    static final String NEWER = "format2-newer";
    static final String CORRUPT_SST = "format1-corrupt-block";
    static final String TRUNCATED_SST = "format1-truncated-table";
    static final String MISSING_CURRENT = "format1-missing-current";
    static final String CORRUPT_RECORD = "format1-corrupt-record";
    static final String FOREIGN_ROCKSDB = "foreign-rocksdb";
    static final String FOREIGN_FILES = "foreign-files";

    private StoreFixtures() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        Files.createDirectories(root);
        Path valid = root.resolve(VALID);
        writeValid(valid);

        Path newer = copy(valid, root.resolve(NEWER));
        Files.writeString(newer.resolve(StoreDirectory.FORMAT_FILE), "tern-store 2\n");

        String sessionsTable = tableOf(valid, RocksHandles.SESSIONS);
        Path corrupt = copy(valid, root.resolve(CORRUPT_SST));
        flipByte(corrupt.resolve(sessionsTable), 20);

        Path truncated = copy(valid, root.resolve(TRUNCATED_SST));
        Path table = truncated.resolve(sessionsTable);
        try (RandomAccessFile f = new RandomAccessFile(table.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }

        Path missing = copy(valid, root.resolve(MISSING_CURRENT));
        Files.delete(missing.resolve("CURRENT"));

        Path badRecord = root.resolve(CORRUPT_RECORD);
        deleteTree(badRecord);
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(badRecord))) {
            store.commit(new StoreBatch().putSession(new SessionRecord("ok", store.newSessionKey(),
                    MqttVersion.MQTT_3_1_1, SessionRecord.NEVER_EXPIRES, 0))).join();
            RocksHandles h = store.handles();
            // A subscription whose value is not a subscription record (as damage or a bug could leave).
            h.db.put(h.sessions, Keys.subscription("ok", "a/b"), "not a record".getBytes(StandardCharsets.UTF_8));
            h.db.syncWal();
        }
        tidy(badRecord);

        Path foreign = root.resolve(FOREIGN_ROCKSDB);
        deleteTree(foreign);
        RocksDB.loadLibrary();
        try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, foreign.toString())) {
            db.put("someone".getBytes(StandardCharsets.UTF_8), "else's data".getBytes(StandardCharsets.UTF_8));
        }
        tidy(foreign);

        Path files = root.resolve(FOREIGN_FILES);
        deleteTree(files);
        Files.createDirectories(files);
        Files.writeString(files.resolve("notes.txt"), "This directory belongs to another program.\n");
    }

    /** Content of the valid fixture; {@link StoreFixturesTest} checks exactly this. */
    static void writeValid(Path dir) throws Exception {
        deleteTree(dir);
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            SessionRecord s = new SessionRecord("sensor-1", store.newSessionKey(), MqttVersion.MQTT_5, 86_400,
                    1_767_225_600_000L);
            SessionRecord t = new SessionRecord("legacy", store.newSessionKey(), MqttVersion.MQTT_3_1_1,
                    SessionRecord.NEVER_EXPIRES, 0);
            MqttProperties props = MqttProperties.builder().contentType("text/plain").addUserProperty("site", "north")
                    .build();
            StoreBatch b = new StoreBatch().putSession(s).putSession(t)
                    .putSubscription("sensor-1", new SubscriptionRecord("cmd/sensor-1/#", QoS.EXACTLY_ONCE, true, true,
                            1, 42))
                    .putSubscription("legacy", SubscriptionRecord.of("alerts/+", QoS.AT_LEAST_ONCE))
                    .addInboundQos2("sensor-1", 7)
                    .putWill("sensor-1", new WillRecord("status/sensor-1", "offline".getBytes(StandardCharsets.UTF_8),
                            QoS.AT_LEAST_ONCE, true, MqttProperties.builder().willDelayInterval(10L).build(), 0));
            store.commit(b).join();
            Message m = new Message("alerts/fire", Unpooled.copiedBuffer("evacuate", StandardCharsets.UTF_8),
                    QoS.EXACTLY_ONCE, false, props, "panel");
            Message r = new Message("status/door", Unpooled.copiedBuffer("closed", StandardCharsets.UTF_8),
                    QoS.AT_LEAST_ONCE, true, props, "door");
            try {
                store.commit(new StoreBatch().enqueue(m, List.of(
                        new QueueTarget("legacy", t.sessionKey(), 0, QoS.AT_LEAST_ONCE, false, List.of()),
                        new QueueTarget("sensor-1", s.sessionKey(), 0, QoS.EXACTLY_ONCE, false, List.of(42)))))
                        .join();
                store.commit(new StoreBatch().putRetained(r)).join();
            } finally {
                m.release();
                r.release();
            }
        }
        tidy(dir);
    }

    /** The name of the table file of a column family, found without changing the store. */
    private static String tableOf(Path dir, String family) throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : RocksHandles.FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions o = new DBOptions();
             RocksDB db = RocksDB.openReadOnly(o, dir.toString(), descriptors, handles)) {
            try {
                for (LiveFileMetaData f : db.getLiveFilesMetaData()) {
                    if (new String(f.columnFamilyName(), StandardCharsets.UTF_8).equals(family)) {
                        return f.fileName().replaceFirst("^/", "");
                    }
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        } finally {
            tidy(dir);
        }
        throw new IllegalStateException("no table file of " + family + " in " + dir);
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xFF);
        }
    }

    /** Removes RocksDB's info logs, which only make the fixture bigger. */
    private static void tidy(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals("LOG") || n.startsWith("LOG.old") || n.equals("LOCK")) {
                    Files.delete(p);
                }
            }
        }
    }

    static Path copy(Path from, Path to) throws IOException {
        deleteTree(to);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
