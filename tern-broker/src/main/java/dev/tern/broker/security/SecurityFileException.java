package dev.tern.broker.security;

import java.nio.file.Path;

/** A password, ACL or certificate file that cannot be used, naming the file and line at fault. */
public final class SecurityFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    /**
     * @param file    the file
     * @param line    1-based line number, or 0 if the problem is not on one line
     * @param message what is wrong
     */
    public SecurityFileException(Path file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public SecurityFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
        this.line = 0;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
