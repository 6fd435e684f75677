package dev.tern.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs an external program (mosquitto_pub, mosquitto_sub, python3, ...) with a deadline and captures
 * its output. Output goes to temporary files so that a chatty process never blocks on a full pipe.
 */
public final class ExternalCommand implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final List<String> command;

    private ExternalCommand(List<String> command, Process process, Path stdout, Path stderr) {
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts the command. */
    public static ExternalCommand start(List<String> command) throws IOException {
        return start(command, null);
    }

    /** Starts the command in a working directory (null: this process's). */
    public static ExternalCommand start(List<String> command, @Nullable Path directory) throws IOException {
        Path out = Files.createTempFile("tern-cmd", ".out");
        Path err = Files.createTempFile("tern-cmd", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        return new ExternalCommand(List.copyOf(command), pb.start(), out, err);
    }

    /** Starts the command. */
    public static ExternalCommand start(String... command) throws IOException {
        return start(List.of(command));
    }

    /** True if the program is on PATH (or an existing absolute path). */
    public static boolean isAvailable(String program) {
        if (program.startsWith("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits for the program to exit.
     *
     * @return the exit code
     * @throws AssertionError if it does not exit in time (the process is then killed)
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not exit within " + timeout + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** Everything written to stdout so far. */
    public String stdout() {
        return read(stdout);
    }

    /** Everything written to stderr so far. */
    public String stderr() {
        return read(stderr);
    }

    /** Lines of stdout so far. */
    public List<String> stdoutLines() {
        return new ArrayList<>(stdout().lines().toList());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }

    /** Kills the process if still running and deletes the captured output. */
    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
