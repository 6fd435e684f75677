package dev.tern.broker.store;

/** A stored value that does not decode: the store was damaged or written by something else. */
final class CorruptRecordException extends StoreException {
    private static final long serialVersionUID = 1L;

    CorruptRecordException(String message) {
        super(message);
    }

    CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
