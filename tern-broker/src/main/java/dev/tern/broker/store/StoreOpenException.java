package dev.tern.broker.store;

import java.nio.file.Path;

/**
 * The store cannot be opened. The message says what is wrong with which directory, and, where moving
 * the store aside is the way out, how to do that ({@code tern broker --recover}).
 */
public final class StoreOpenException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Why the store could not be opened. */
    public enum Problem {
        /** Written by a newer Tern with a format this version does not read. */
        NEWER_VERSION,
        /** Damaged: a file is corrupt, truncated or missing. */
        CORRUPT,
        /** The directory holds something that is not a Tern store. */
        FOREIGN,
        /** Another process has the store open. */
        LOCKED,
        /** The directory cannot be created, read or written. */
        INACCESSIBLE
    }

    private final Problem problem;
    private final transient Path directory;

    public StoreOpenException(Problem problem, Path directory, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.directory = directory;
    }

    public StoreOpenException(Problem problem, Path directory, String message) {
        super(message);
        this.problem = problem;
        this.directory = directory;
    }

    public Problem problem() {
        return problem;
    }

    public Path directory() {
        return directory;
    }

    /** True if moving the store aside and starting empty ({@code --recover}) is the remedy. */
    public boolean recoverable() {
        return problem == Problem.CORRUPT || problem == Problem.FOREIGN;
    }
}
