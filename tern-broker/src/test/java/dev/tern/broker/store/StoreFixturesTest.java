package dev.tern.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.broker.routing.Message;
import dev.tern.broker.store.StoreOpenException.Problem;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.MqttVersion;
import dev.tern.codec.QoS;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up against the checked-in stores of {@link StoreFixtures}: a valid format-1 store reads back
 * exactly (so a later Tern still reads what this one wrote), and newer, damaged, truncated and
 * foreign ones are refused with a message that says what is wrong, after which moving the store aside
 * lets the broker start empty.
 */
class StoreFixturesTest {
    @TempDir
    Path tmp;

    Path fixture(String name) throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/store-fixtures/" + name).toURI());
        Path target = tmp.resolve(name);
        if (Files.isDirectory(source)) {
            StoreFixtures.copy(source, target);
        } else {
            Files.copy(source, target);
        }
        return target;
    }

    static void openAndRecover(Path dir) {
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            store.recover().retained().forEach(Message::release);
        }
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Path dir, Problem problem) {
        return assertThatThrownBy(() -> openAndRecover(dir)).isInstanceOfSatisfying(StoreOpenException.class,
                e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.directory()).isEqualTo(dir);
                }).hasMessageContaining(dir.toString());
    }

    @Test
    @DisplayName("a store written in format 1 reads back exactly")
    void validFormat1() throws Exception {
        Path dir = fixture(StoreFixtures.VALID);
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            RecoveredState state = store.recover();
            try {
                assertThat(state.sessions()).hasSize(2);
                RecoveredSession sensor = state.sessions().stream()
                        .filter(s -> s.session().clientId().equals("sensor-1")).findFirst().orElseThrow();
                RecoveredSession legacy = state.sessions().stream()
                        .filter(s -> s.session().clientId().equals("legacy")).findFirst().orElseThrow();
                assertThat(sensor.session().version()).isEqualTo(MqttVersion.MQTT_5);
                assertThat(sensor.session().expiryIntervalSeconds()).isEqualTo(86_400);
                assertThat(sensor.session().disconnectedAtMillis()).isEqualTo(1_767_225_600_000L);
                assertThat(sensor.subscriptions()).containsExactly(
                        new SubscriptionRecord("cmd/sensor-1/#", QoS.EXACTLY_ONCE, true, true, 1, 42));
                assertThat(sensor.inboundQos2()).containsExactly(7);
                assertThat(sensor.will().topic()).isEqualTo("status/sensor-1");
                assertThat(sensor.will().delaySeconds()).isEqualTo(10);
                assertThat(sensor.queue()).isEqualTo(new QueueSummary(1, 0, 1));
                assertThat(legacy.session().version()).isEqualTo(MqttVersion.MQTT_3_1_1);
                assertThat(legacy.session().expiryIntervalSeconds()).isEqualTo(SessionRecord.NEVER_EXPIRES);
                assertThat(legacy.subscriptions()).containsExactly(SubscriptionRecord.of("alerts/+", QoS.AT_LEAST_ONCE));
                assertThat(state.queuedMessages()).isEqualTo(2);

                assertThat(state.retained()).hasSize(1);
                Message door = state.retained().get(0);
                assertThat(door.topic()).isEqualTo("status/door");
                assertThat(door.payload().toString(StandardCharsets.UTF_8)).isEqualTo("closed");
                assertThat(door.properties().userProperties()).hasSize(1);

                List<QueueEntry> entries = store.readQueue(sensor.session().sessionKey(), 0, 10).join();
                try {
                    assertThat(entries).hasSize(1);
                    QueueEntry e = entries.get(0);
                    assertThat(e.qos()).isEqualTo(QoS.EXACTLY_ONCE);
                    assertThat(e.subscriptionIdentifiers()).containsExactly(42);
                    assertThat(e.message().topic()).isEqualTo("alerts/fire");
                    assertThat(e.message().payload().toString(StandardCharsets.UTF_8)).isEqualTo("evacuate");
                    assertThat(e.message().properties()).isEqualTo(MqttProperties.builder().contentType("text/plain")
                            .addUserProperty("site", "north").build());
                    assertThat(e.message().publisherId()).isEqualTo("panel");
                } finally {
                    entries.forEach(QueueEntry::release);
                }
            } finally {
                state.retained().forEach(Message::release);
            }
        }
    }

    @Test
    @DisplayName("a store of a newer format is refused, naming both formats")
    void newerFormat() throws Exception {
        Path dir = fixture(StoreFixtures.NEWER);
        assertRefused(dir, Problem.NEWER_VERSION).hasMessageContaining("format 2")
                .hasMessageContaining("newer version of Tern").hasMessageContaining("reads format 1");
    }

    @Test
    @DisplayName("a table file with a damaged block is reported as a damaged store")
    void corruptBlock() throws Exception {
        Path dir = fixture(StoreFixtures.CORRUPT_SST);
        assertRefused(dir, Problem.CORRUPT).hasMessageContaining("damaged");
    }

    @Test
    @DisplayName("a truncated table file is reported as a damaged store")
    void truncatedTable() throws Exception {
        Path dir = fixture(StoreFixtures.TRUNCATED_SST);
        assertRefused(dir, Problem.CORRUPT).hasMessageContaining("damaged");
    }

    @Test
    @DisplayName("a store without its CURRENT file is reported as damaged, not started empty")
    void missingCurrent() throws Exception {
        Path dir = fixture(StoreFixtures.MISSING_CURRENT);
        assertRefused(dir, Problem.CORRUPT).hasMessageContaining("CURRENT file is missing");
    }

    @Test
    @DisplayName("a record that does not decode names the record")
    void corruptRecord() throws Exception {
        Path dir = fixture(StoreFixtures.CORRUPT_RECORD);
        assertRefused(dir, Problem.CORRUPT).hasMessageContaining("subscription 'a/b' of client ok");
    }

    @Test
    @DisplayName("another program's RocksDB database is refused as foreign")
    void foreignRocksDb() throws Exception {
        Path dir = fixture(StoreFixtures.FOREIGN_ROCKSDB);
        assertRefused(dir, Problem.FOREIGN).hasMessageContaining("RocksDB database that Tern did not create");
    }

    @Test
    @DisplayName("a directory of unrelated files is refused as foreign")
    void foreignFiles() throws Exception {
        Path dir = fixture(StoreFixtures.FOREIGN_FILES);
        assertRefused(dir, Problem.FOREIGN).hasMessageContaining("notes.txt");
    }

    @Test
    @DisplayName("Mosquitto's persistence directory and its mosquitto.db file are refused as foreign")
    void mosquittoDb() throws Exception {
        Path dir = fixture("foreign-mosquitto");
        assertRefused(dir, Problem.FOREIGN).hasMessageContaining("mosquitto.db");
        assertRefused(dir.resolve("mosquitto.db"), Problem.FOREIGN).hasMessageContaining("is a file");
    }

    @Test
    @DisplayName("moving a damaged store aside keeps it and lets the next start begin empty")
    void moveAsideRecovers() throws Exception {
        Path dir = fixture(StoreFixtures.CORRUPT_SST);
        StoreOpenException e = (StoreOpenException) org.assertj.core.api.Assertions.catchThrowable(
                () -> openAndRecover(dir));
        assertThat(e.recoverable()).isTrue();
        Path aside = RocksDbStore.moveAside(dir);
        assertThat(aside.getFileName().toString()).startsWith(StoreFixtures.CORRUPT_SST + ".corrupt-");
        assertThat(aside.resolve("CURRENT")).exists();
        assertThat(dir).doesNotExist();
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            assertThat(store.recover().sessions()).isEmpty();
        }
        assertThat(RocksDbStore.moveAside(tmp.resolve("nothing-here"))).isNull();
    }

    @Test
    @DisplayName("a store in use by another broker is refused as locked")
    void locked() {
        Path dir = tmp.resolve("locked");
        try (RocksDbStore first = RocksDbStore.open(StoreOptions.defaults(dir))) {
            assertRefused(dir, Problem.LOCKED).hasMessageContaining("in use by another process");
            assertThat(first.health().available()).isTrue();
        }
    }

    @Test
    @DisplayName("a store directory that cannot be written is refused as inaccessible")
    void unwritableDirectory() throws Exception {
        Path dir = tmp.resolve("immutable");
        try (RocksDbStore store = RocksDbStore.open(StoreOptions.defaults(dir))) {
            store.recover();
        }
        // Root ignores permission bits; the immutable attribute stops root too (where chattr works).
        Assumptions.assumeTrue(run("chattr", "+i", dir.toString()) == 0, "chattr +i is not available here");
        try {
            assertRefused(dir, Problem.INACCESSIBLE);
        } finally {
            run("chattr", "-i", dir.toString());
        }
        openAndRecover(dir);
    }

    static int run(String... command) throws IOException, InterruptedException {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (IOException e) {
            return -1; // not installed
        }
    }

    @Test
    @DisplayName("a missing directory is created, with a FORMAT file naming format 1")
    void createsDirectory() throws Exception {
        Path dir = tmp.resolve("a/b/store");
        openAndRecover(dir);
        assertThat(Files.readString(dir.resolve("FORMAT"))).isEqualTo("tern-store 1\n");
        openAndRecover(dir);
    }
}
