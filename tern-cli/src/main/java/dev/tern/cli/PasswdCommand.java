package dev.tern.cli;

import dev.tern.broker.security.PasswordHash;
import dev.tern.broker.security.ScramSha256Hash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tern passwd}: manages password files like {@code mosquitto_passwd}, writing Tern's
 * SCRAM-SHA-256 entries. Entries made by mosquitto_passwd are kept as they are.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true, versionProvider = TernCommand.Version.class,
        description = {
            "Manages a password file for 'password_file', like mosquitto_passwd.",
            "  tern passwd [-c | -D] FILE USERNAME        (asks for the password)",
            "  tern passwd [-c] -b FILE USERNAME PASSWORD",
            "  tern passwd -U FILE                        (hashes a plain-text file)",
            "New entries are SCRAM-SHA-256 (PBKDF2-HMAC-SHA256); mosquitto_passwd's entries are kept."})
final class PasswdCommand implements Callable<Integer> {
    @Option(names = "-c", description = "Create a new password file, overwriting an existing one.")
    private boolean create;

    @Option(names = "-b", description = "Batch mode: the password is the last argument.")
    private boolean batch;

    @Option(names = "-D", description = "Delete the user instead of adding or updating it.")
    private boolean delete;

    @Option(names = "-U", description = "Hash every plain-text password of a file made by hand.")
    private boolean upgrade;

    @Option(names = "-I", paramLabel = "ITERATIONS",
            description = "PBKDF2 iterations of new entries (default ${DEFAULT-VALUE}, at least 4096).")
    private int iterations = ScramSha256Hash.DEFAULT_ITERATIONS;

    @Parameters(paramLabel = "ARGS", description = "FILE [USERNAME [PASSWORD]]")
    private List<String> args = new ArrayList<>();

    private final PrintStream err;
    private final BufferedReader stdin;

    PasswdCommand() {
        this(System.err, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    PasswdCommand(PrintStream err, BufferedReader stdin) {
        this.err = err;
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (UsageError e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
    }

    /** A mistake on the command line or in the file, told to the user as is. */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message, null, false, false);
        }
    }

    private int run() throws UsageError, IOException {
        if (iterations < ScramSha256Hash.MIN_ITERATIONS) {
            throw new UsageError("-I must be at least " + ScramSha256Hash.MIN_ITERATIONS);
        }
        if ((create ? 1 : 0) + (delete ? 1 : 0) + (upgrade ? 1 : 0) > 1) {
            throw new UsageError("-c, -D and -U cannot be combined");
        }
        if (upgrade) {
            expectArgs(1, "-U FILE");
            return upgradeFile(Path.of(args.get(0)));
        }
        if (delete) {
            expectArgs(2, "-D FILE USERNAME");
            return deleteUser(Path.of(args.get(0)), username(args.get(1)));
        }
        expectArgs(batch ? 3 : 2, batch ? "-b FILE USERNAME PASSWORD" : "FILE USERNAME");
        Path file = Path.of(args.get(0));
        String user = username(args.get(1));
        byte[] password = batch ? args.get(2).getBytes(StandardCharsets.UTF_8) : askPassword();
        List<String> lines = create ? new ArrayList<>() : readExisting(file);
        String entry = user + ":" + hash(password);
        Arrays.fill(password, (byte) 0);
        int at = indexOf(lines, user);
        if (at >= 0) {
            lines.set(at, entry);
        } else {
            lines.add(entry);
        }
        write(file, lines, create);
        return 0;
    }

    private void expectArgs(int n, String usage) throws UsageError {
        if (args.size() != n) {
            throw new UsageError("expected 'tern passwd " + usage + "' (see tern passwd --help)");
        }
    }

    private static String username(String u) throws UsageError {
        if (u.isEmpty() || u.contains(":")) {
            throw new UsageError("a user name must not be empty or contain ':'");
        }
        return u;
    }

    private String hash(byte[] password) {
        return ScramSha256Hash.create(password, iterations, new SecureRandom()).encoded();
    }

    private byte[] askPassword() throws IOException, UsageError {
        Console console = System.console();
        String first;
        String second;
        if (console != null) {
            char[] a = console.readPassword("Password: ");
            char[] b = console.readPassword("Reenter password: ");
            if (a == null || b == null) {
                throw new UsageError("no password given");
            }
            first = new String(a);
            second = new String(b);
            Arrays.fill(a, '\0');
            Arrays.fill(b, '\0');
        } else {
            // No terminal (a script): the password twice on standard input.
            first = stdin.readLine();
            second = stdin.readLine();
            if (first == null || second == null) {
                throw new UsageError("no password given (expected it twice on standard input)");
            }
        }
        if (!first.equals(second)) {
            throw new UsageError("passwords do not match");
        }
        if (first.isEmpty()) {
            throw new UsageError("the password must not be empty");
        }
        return first.getBytes(StandardCharsets.UTF_8);
    }

    private int deleteUser(Path file, String user) throws IOException, UsageError {
        List<String> lines = readExisting(file);
        int at = indexOf(lines, user);
        if (at < 0) {
            throw new UsageError("user '" + user + "' is not in " + file);
        }
        lines.remove(at);
        write(file, lines, false);
        return 0;
    }

    private int upgradeFile(Path file) throws IOException, UsageError {
        List<String> lines = readExisting(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int colon = line.indexOf(':');
            if (line.isBlank() || line.startsWith("#") || colon <= 0) {
                continue;
            }
            String value = line.substring(colon + 1);
            if (value.startsWith("$")) {
                PasswordHash.parse(value.strip()); // already hashed: must at least be a known format
                continue;
            }
            lines.set(i, line.substring(0, colon) + ":" + hash(value.getBytes(StandardCharsets.UTF_8)));
        }
        write(file, lines, false);
        return 0;
    }

    private static List<String> readExisting(Path file) throws UsageError, IOException {
        if (!Files.exists(file)) {
            throw new UsageError(file + " does not exist; use -c to create it");
        }
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    private static int indexOf(List<String> lines, String user) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(user + ":")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Replaces the file in one step (write a temporary file beside it, then rename), so that a broker
     * reloading at the same moment sees the old or the new file, never half of one. New files are
     * readable by their owner only; existing files keep their permissions.
     */
    private static void write(Path file, List<String> lines, boolean created) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Set<PosixFilePermission> perms = !created && Files.exists(file) ? Files.getPosixFilePermissions(file)
                        : PosixFilePermissions.fromString("rw-------");
                Files.setPosixFilePermissions(tmp, perms);
            }
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
