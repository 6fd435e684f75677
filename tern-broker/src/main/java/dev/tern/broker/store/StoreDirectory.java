package dev.tern.broker.store;

import dev.tern.broker.store.StoreOpenException.Problem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory of a durable store and its {@code FORMAT} file, which names the on-disk format
 * ({@code tern-store 1}). The file is written before anything else when a store is created, so that a
 * directory with a {@code FORMAT} file is Tern's, and one without is not (or is damaged).
 */
final class StoreDirectory {
    static final String FORMAT_FILE = "FORMAT";
    static final String FORMAT_PREFIX = "tern-store ";
    /** What a fresh RocksDB leaves besides its data; a store with only these holds no data yet. */
    private static final List<String> HARMLESS_PREFIXES = List.of(FORMAT_FILE, "LOCK", "LOG", "OPTIONS-", "IDENTITY");

    private StoreDirectory() {}

    /** What {@link #inspect} found. */
    enum State { NEW, EXISTING }

    /**
     * Checks the directory before RocksDB sees it, creating it and its FORMAT file for a new store.
     *
     * @throws StoreOpenException if it is not a Tern store of a format this version reads
     */
    static State inspect(Path dir, int supportedFormat) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StoreOpenException(Problem.FOREIGN, dir, dir + " is a file, not a Tern store directory"
                    + " (a Mosquitto persistence file, perhaps: Tern cannot read those).");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreOpenException(Problem.INACCESSIBLE, dir, "cannot create the store directory " + dir
                    + ": " + describe(e), e);
        }
        if (!Files.isReadable(dir) || !Files.isWritable(dir) || !Files.isExecutable(dir)) {
            throw new StoreOpenException(Problem.INACCESSIBLE, dir, "the store directory " + dir
                    + " is not readable and writable by this process");
        }
        List<String> names = list(dir);
        Path format = dir.resolve(FORMAT_FILE);
        if (!names.contains(FORMAT_FILE)) {
            if (names.isEmpty()) {
                writeFormat(dir, supportedFormat);
                return State.NEW;
            }
            String what = names.contains("CURRENT") ? "a RocksDB database that Tern did not create"
                    : "files that are not a Tern store";
            throw new StoreOpenException(Problem.FOREIGN, dir, dir + " holds " + what + " (no " + FORMAT_FILE
                    + " file; found " + sample(names) + ")");
        }
        int version = readFormat(dir, format);
        if (version > supportedFormat) {
            throw new StoreOpenException(Problem.NEWER_VERSION, dir, "the store in " + dir
                    + " has format " + version + ", written by a newer version of Tern; this version reads format "
                    + supportedFormat + " only. Run the newer Tern, or move the directory away to start empty.");
        }
        if (version < 1) {
            throw new StoreOpenException(Problem.CORRUPT, dir, dir + "/" + FORMAT_FILE + " names format " + version
                    + ", which does not exist");
        }
        if (!names.contains("CURRENT")) {
            boolean data = names.stream().anyMatch(n -> HARMLESS_PREFIXES.stream().noneMatch(n::startsWith));
            if (data) {
                throw new StoreOpenException(Problem.CORRUPT, dir, "the store in " + dir
                        + " is damaged: its CURRENT file is missing (found " + sample(names) + ")");
            }
            return State.NEW; // created, but stopped before the database was
        }
        return State.EXISTING;
    }

    private static void writeFormat(Path dir, int version) {
        Path format = dir.resolve(FORMAT_FILE);
        try (FileChannel ch = FileChannel.open(format, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(StandardCharsets.US_ASCII.encode(FORMAT_PREFIX + version + "\n"));
            ch.force(true);
        } catch (IOException e) {
            throw new StoreOpenException(Problem.INACCESSIBLE, dir, "cannot write " + format + ": " + describe(e), e);
        }
        syncDirectory(dir);
    }

    private static int readFormat(Path dir, Path format) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(format);
            if (bytes.length > 64) {
                throw new StoreOpenException(Problem.CORRUPT, dir, format + " is not a Tern format file ("
                        + bytes.length + " bytes)");
            }
            text = new String(bytes, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new StoreOpenException(Problem.INACCESSIBLE, dir, "cannot read " + format + ": " + describe(e), e);
        }
        if (!text.startsWith(FORMAT_PREFIX)) {
            throw new StoreOpenException(Problem.CORRUPT, dir, format + " does not name a Tern store format");
        }
        try {
            return Integer.parseInt(text.substring(FORMAT_PREFIX.length()).trim());
        } catch (NumberFormatException e) {
            throw new StoreOpenException(Problem.CORRUPT, dir, format + " does not name a Tern store format: '"
                    + text + "'");
        }
    }

    /**
     * Moves a store out of the way so that the broker can start with an empty one: renames the
     * directory to {@code NAME.corrupt-YYYYMMDD-HHMMSS} beside it.
     *
     * @return where the old store is now
     */
    static Path moveAside(Path dir) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path name = dir.toAbsolutePath().normalize();
        Path target = name.resolveSibling(name.getFileName() + ".corrupt-" + stamp);
        for (int i = 1; Files.exists(target); i++) {
            target = name.resolveSibling(name.getFileName() + ".corrupt-" + stamp + "-" + i);
        }
        Files.move(name, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every file system lets a directory be synced; the file itself was.
        }
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new StoreOpenException(Problem.INACCESSIBLE, dir, "cannot list " + dir + ": " + describe(e), e);
        }
    }

    private static String sample(List<String> names) {
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
    }

    /** Bytes of the files in the directory. */
    static long size(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0; // deleted by a compaction while we looked
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
