package dev.tern.broker.security;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the last password each user logged in with, as an HMAC under a key that lives only in
 * this process, so that a reconnect (or a storm of them after a network outage) costs one HMAC
 * instead of a full PBKDF2 run. Only successful logins are cached, one entry per user of the
 * password file, and an entry counts only while the user's password file entry is unchanged. Someone
 * who can read the broker's memory could test guesses against an entry at HMAC speed; such a reader
 * can also read passwords off the wire, so this costs no real protection. Thread-safe.
 */
final class LoginCache {
    private record Entry(String credential, byte[] fingerprint) {}

    private final byte[] key = new byte[32];
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    LoginCache(SecureRandom random) {
        random.nextBytes(key);
    }

    /** True if this user last logged in with this password against this very password file entry. */
    boolean verified(String username, PasswordHash hash, byte[] password) {
        Entry e = entries.get(username);
        return e != null && e.credential.equals(hash.encoded())
                && MessageDigest.isEqual(e.fingerprint, fingerprint(username, password));
    }

    void remember(String username, PasswordHash hash, byte[] password) {
        entries.put(username, new Entry(hash.encoded(), fingerprint(username, password)));
    }

    /** Drops entries of users that are gone from the file. */
    void retainUsers(java.util.Set<String> users) {
        entries.keySet().retainAll(users);
    }

    int size() {
        return entries.size();
    }

    private byte[] fingerprint(String username, byte[] password) {
        byte[] user = username.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] data = new byte[user.length + 1 + password.length];
        System.arraycopy(user, 0, data, 0, user.length);
        System.arraycopy(password, 0, data, user.length + 1, password.length);
        return PasswordHash.hmac("HmacSHA256", key, data);
    }
}
