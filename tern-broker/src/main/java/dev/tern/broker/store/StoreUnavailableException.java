package dev.tern.broker.store;

/**
 * The store cannot take new data at the moment (disk full, directory not writable, I/O error). The
 * commit that failed changed nothing; the store keeps trying and accepts writes again once it can.
 */
public final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
