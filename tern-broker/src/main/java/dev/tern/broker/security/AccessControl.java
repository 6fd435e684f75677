package dev.tern.broker.security;

import dev.tern.broker.config.AuthSettings;
import dev.tern.broker.config.TlsSettings;
import dev.tern.broker.security.LoginResult.Outcome;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication and authorization of one listener (or of every listener, without
 * {@code per_listener_settings}): plug-ins first, then the password file and the
 * {@code allow_anonymous} rule, or the client certificate; the ACL file for topics. The files are
 * swapped atomically on {@link #reload()}. Thread-safe.
 */
public final class AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

    /** Where the user name comes from. */
    enum CertificateUsername { NONE, COMMON_NAME, SUBJECT }

    private final String name;
    private final boolean allowAnonymous;
    private final CertificateUsername certificateUsername;
    private final @Nullable Path passwordPath;
    private final @Nullable Path aclPath;
    private final List<AuthPlugin> plugins;
    private final Executor hashing;
    private final LoginThrottle throttle;
    private final LoginCache cache;
    private volatile @Nullable PasswordFile passwords;
    private volatile @Nullable AclFile acl;

    AccessControl(String name, AuthSettings settings, boolean allowAnonymous, @Nullable TlsSettings tls,
                  List<AuthPlugin> plugins, Executor hashing, LoginThrottle throttle, LoginCache cache)
            throws SecurityFileException {
        this.name = name;
        this.allowAnonymous = allowAnonymous;
        this.certificateUsername = tls == null ? CertificateUsername.NONE
                : tls.useIdentityAsUsername() ? CertificateUsername.COMMON_NAME
                : tls.useSubjectAsUsername() ? CertificateUsername.SUBJECT : CertificateUsername.NONE;
        this.passwordPath = settings.passwordFile() == null ? null : Path.of(settings.passwordFile());
        this.aclPath = settings.aclFile() == null ? null : Path.of(settings.aclFile());
        this.plugins = List.copyOf(plugins);
        this.hashing = hashing;
        this.throttle = throttle;
        this.cache = cache;
        this.passwords = passwordPath == null ? null : PasswordFile.read(passwordPath);
        this.acl = aclPath == null ? null : AclFile.read(aclPath);
    }

    /** For logs: what this access control checks. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        PasswordFile p = passwords;
        AclFile a = acl;
        if (certificateUsername != CertificateUsername.NONE) {
            sb.append("client certificate ").append(certificateUsername == CertificateUsername.COMMON_NAME ? "CN" : "subject")
                    .append(" as user name");
        }
        if (p != null) {
            sb.append(sb.isEmpty() ? "" : ", ").append("password file ").append(p.path()).append(" (")
                    .append(p.size()).append(p.size() == 1 ? " user)" : " users)");
        }
        if (!plugins.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(plugins.size()).append(" plug-in(s)");
        }
        if (a != null) {
            sb.append(sb.isEmpty() ? "" : ", ").append("ACL file ").append(a.path()).append(" (")
                    .append(a.ruleCount()).append(" rules)");
        }
        if (sb.isEmpty()) {
            sb.append("no authentication");
        }
        return sb.append(allowAnonymous ? "; anonymous clients allowed" : "; anonymous clients refused").toString();
    }

    /** True if clients can prove who they are here (password file, plug-in or certificate). */
    public boolean authenticates() {
        return passwords != null || !plugins.isEmpty() || certificateUsername != CertificateUsername.NONE;
    }

    /** True if a password file is configured (its Tern SCRAM-SHA-256 entries also serve MQTT 5.0 SCRAM). */
    public boolean hasPasswordFile() {
        return passwords != null;
    }

    public boolean allowAnonymous() {
        return allowAnonymous;
    }

    /** True if reading topics can be refused (an ACL file or a plug-in); false means every read is allowed. */
    public boolean restrictsReading() {
        return acl != null || !plugins.isEmpty();
    }

    /**
     * Authenticates a connecting client. Completes on a hashing thread or a plug-in's thread; the
     * caller hops back to its event loop. Attempts from an address with recent failures wait first
     * ({@link LoginThrottle}).
     */
    public CompletableFuture<LoginResult> login(AuthRequest request) {
        long wait = throttle.reserve(request.remote().getAddress());
        CompletableFuture<LoginResult> result;
        if (wait > 0) {
            // The wait runs on the JDK's timer; the login itself then goes on as without a delay.
            result = CompletableFuture.supplyAsync(() -> request,
                            CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS))
                    .thenCompose(this::loginNow);
        } else {
            result = loginNow(request);
        }
        return result.whenComplete((r, e) -> {
            if (e != null || r.outcome() == Outcome.BAD_CREDENTIALS) {
                throttle.failed(request.remote().getAddress());
            }
        });
    }

    private CompletableFuture<LoginResult> loginNow(AuthRequest request) {
        if (certificateUsername != CertificateUsername.NONE) {
            return CompletableFuture.completedFuture(certificateLogin(request.certificates()));
        }
        return pluginLogin(request, 0);
    }

    private LoginResult certificateLogin(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return LoginResult.refused(Outcome.NOT_AUTHORIZED, null, "no client certificate");
        }
        X509Certificate leaf = chain.get(0);
        String username = certificateUsername == CertificateUsername.COMMON_NAME ? CertificateNames.commonName(leaf)
                : CertificateNames.subject(leaf);
        if (username == null) {
            return LoginResult.refused(Outcome.NOT_AUTHORIZED, null, "the client certificate has no common name");
        }
        return LoginResult.accepted(username, "client certificate", null);
    }

    private CompletableFuture<LoginResult> pluginLogin(AuthRequest request, int index) {
        if (index == plugins.size()) {
            return fileLogin(request);
        }
        AuthPlugin plugin = plugins.get(index);
        CompletableFuture<AuthDecision> decision;
        try {
            decision = plugin.authenticate(request).toCompletableFuture();
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        return decision.handle((d, e) -> {
            if (e != null) {
                LOG.warn("Authentication plug-in {} failed for client {}: {}", plugin.getClass().getName(),
                        request.clientId(), e.toString());
                return CompletableFuture.completedFuture(LoginResult.refused(Outcome.NOT_AUTHORIZED,
                        request.username(), "the authentication plug-in failed"));
            }
            return switch (d) {
                case AuthDecision.Allow a -> CompletableFuture.completedFuture(LoginResult.accepted(
                        a.username() != null ? a.username() : request.username(), "accepted by a plug-in", null));
                case AuthDecision.Deny deny -> CompletableFuture.completedFuture(LoginResult.refused(
                        deny.reason() == AuthDecision.Reason.BAD_CREDENTIALS ? Outcome.BAD_CREDENTIALS
                                : Outcome.NOT_AUTHORIZED, request.username(), deny.logMessage()));
                case AuthDecision.Defer defer -> pluginLogin(request, index + 1);
            };
        }).thenCompose(f -> f);
    }

    /** Mosquitto's rule after the plug-ins deferred: the password file, then allow_anonymous. */
    private CompletableFuture<LoginResult> fileLogin(AuthRequest request) {
        String username = request.username();
        PasswordFile file = passwords;
        if (username == null) {
            return CompletableFuture.completedFuture(allowAnonymous ? LoginResult.accepted(null, "anonymous", null)
                    : LoginResult.refused(Outcome.NOT_AUTHORIZED, null,
                            "anonymous clients are not allowed on this listener (allow_anonymous false)"));
        }
        if (file == null) {
            if (!plugins.isEmpty() || !allowAnonymous) {
                return CompletableFuture.completedFuture(LoginResult.refused(Outcome.BAD_CREDENTIALS, username,
                        plugins.isEmpty() ? "no password file is configured to check credentials against"
                                : "no plug-in accepted the credentials"));
            }
            // Mosquitto 2: without a password file and with allow_anonymous, credentials are not checked.
            return CompletableFuture.completedFuture(LoginResult.accepted(username, "not checked (no password file)",
                    null));
        }
        PasswordHash hash = file.lookup(username);
        byte[] password = request.password();
        if (hash == null) {
            return CompletableFuture.completedFuture(LoginResult.refused(Outcome.BAD_CREDENTIALS, username,
                    "unknown user"));
        }
        if (password == null) {
            return CompletableFuture.completedFuture(LoginResult.refused(Outcome.BAD_CREDENTIALS, username,
                    "no password given"));
        }
        if (cache.verified(username, hash, password)) {
            return CompletableFuture.completedFuture(LoginResult.accepted(username, "password", hash.encoded()));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                if (hash.matches(password)) {
                    cache.remember(username, hash, password);
                    return LoginResult.accepted(username, "password", hash.encoded());
                }
                return LoginResult.refused(Outcome.BAD_CREDENTIALS, username, "wrong password");
            }, hashing);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(LoginResult.refused(Outcome.SERVER_BUSY, username,
                    "too many logins are being checked at once"));
        }
    }

    /**
     * Whether a client may do {@code access} with {@code topic}. Plug-ins first; with no ACL file
     * and no decisive plug-in, everything is allowed. ($SYS is read-only for clients regardless:
     * the connection layer refuses writes there before asking.)
     */
    public boolean authorize(ClientIdentity client, AclAccess access, String topic) {
        for (AuthPlugin p : plugins) {
            AclDecision d;
            try {
                d = p.authorize(client, access, topic);
            } catch (RuntimeException e) {
                LOG.warn("Authorization plug-in {} failed: {}", p.getClass().getName(), e.toString());
                return false;
            }
            if (d != AclDecision.DEFER) {
                return d == AclDecision.ALLOW;
            }
        }
        AclFile a = acl;
        return a == null || a.allows(client.clientId(), client.username(), topic, access);
    }

    /**
     * The SCRAM-SHA-256 verifier of a user (StoredKey, ServerKey, salt, iterations), for MQTT 5.0
     * enhanced authentication; empty for unknown users and for entries written by mosquitto_passwd,
     * which cannot serve SCRAM.
     */
    public java.util.Optional<ScramSha256Hash> scramCredentials(String username) {
        PasswordFile p = passwords;
        return p != null && p.lookup(username) instanceof ScramSha256Hash s ? java.util.Optional.of(s)
                : java.util.Optional.empty();
    }

    /**
     * Whether a client that logged in before a reload may stay connected: its password file entry
     * must still be the one its password was verified against.
     */
    public boolean stillValid(@Nullable String username, @Nullable String credential) {
        if (credential == null || username == null) {
            return true;
        }
        PasswordFile p = passwords;
        PasswordHash now = p == null ? null : p.lookup(username);
        return now != null && now.encoded().equals(credential);
    }

    /**
     * Re-reads the password and ACL files and lets plug-ins reload. A file that no longer parses is
     * reported and the previous version kept.
     *
     * @return true if everything reloaded
     */
    public boolean reload() {
        boolean ok = true;
        if (passwordPath != null) {
            try {
                PasswordFile p = PasswordFile.read(passwordPath);
                passwords = p;
                cache.retainUsers(p.users());
                LOG.info("Reloaded password file {} ({} users) for {}.", passwordPath, p.size(), name);
            } catch (SecurityFileException e) {
                ok = false;
                LOG.error("Error reloading the password file, keeping the previous one: {}", e.getMessage());
            }
        }
        if (aclPath != null) {
            try {
                AclFile a = AclFile.read(aclPath);
                acl = a;
                LOG.info("Reloaded ACL file {} ({} rules) for {}.", aclPath, a.ruleCount(), name);
            } catch (SecurityFileException e) {
                ok = false;
                LOG.error("Error reloading the ACL file, keeping the previous one: {}", e.getMessage());
            }
        }
        for (AuthPlugin p : plugins) {
            try {
                p.reload();
            } catch (Exception e) {
                ok = false;
                LOG.error("Plug-in {} failed to reload: {}", p.getClass().getName(), e.toString());
            }
        }
        return ok;
    }
}
