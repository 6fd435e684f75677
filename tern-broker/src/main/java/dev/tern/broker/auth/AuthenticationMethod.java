package dev.tern.broker.auth;

/**
 * One MQTT 5.0 enhanced authentication method, named by the Authentication Method property a client
 * sends in CONNECT (for example {@code SCRAM-SHA-256}). Implementations must be thread-safe: every
 * connection that uses the method calls {@link #begin} from its own event loop.
 */
public interface AuthenticationMethod {
    /** The Authentication Method name clients use; compared exactly (MQTT 5.0 section 3.1.2.11.9). */
    String name();

    /**
     * Starts one authentication exchange: at CONNECT, or when an authenticated client re-authenticates
     * with AUTH 0x19.
     */
    AuthenticationExchange begin(AuthenticationContext context);
}
