package dev.tern.cli.client;

/** Bad command-line input: printed as one {@code Error: ...} line, exit code 1. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
