package dev.tern.broker.security;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A password file as {@code mosquitto_passwd} and {@code tern passwd} write it: one
 * {@code username:hash} line per user, {@code #} comment lines and blank lines ignored. The user
 * name is everything before the first colon. Immutable; {@link #read} parses a fresh copy on every
 * (re)load.
 */
public final class PasswordFile {
    private final Path path;
    private final Map<String, PasswordHash> users;

    private PasswordFile(Path path, Map<String, PasswordHash> users) {
        this.path = path;
        this.users = Collections.unmodifiableMap(users);
    }

    /**
     * Reads and parses a password file.
     *
     * @throws SecurityFileException naming the line of a malformed entry, or if the file cannot be read
     */
    public static PasswordFile read(Path path) throws SecurityFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new SecurityFileException(path, 0, "the file is not valid UTF-8 text");
        } catch (IOException e) {
            throw new SecurityFileException(path, "cannot read the password file: " + e, e);
        }
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripLineEnd(lines.get(i));
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new SecurityFileException(path, i + 1, colon == 0 ? "an entry without a user name"
                        : "expected 'username:hash'");
            }
            String user = line.substring(0, colon);
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new SecurityFileException(path, i + 1, "user '" + user + "': " + e.getMessage());
            }
            Integer earlier = lineOf.putIfAbsent(user, i + 1);
            if (earlier != null) {
                throw new SecurityFileException(path, i + 1, "user '" + user + "' is already defined on line " + earlier);
            }
            users.put(user, hash);
        }
        return new PasswordFile(path, users);
    }

    private static String stripLineEnd(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\r' || s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(0, end);
    }

    public Path path() {
        return path;
    }

    /** The hash of a user, or null if the file has no such user. */
    public @Nullable PasswordHash lookup(String username) {
        return users.get(username);
    }

    /** The user names, in file order. */
    public Set<String> users() {
        return users.keySet();
    }

    public int size() {
        return users.size();
    }
}
