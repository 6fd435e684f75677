package dev.tern.broker.security;

import dev.tern.broker.config.AuthSettings;
import dev.tern.broker.config.BrokerConfig;
import dev.tern.broker.config.ListenerConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's security services: one {@link AccessControl} per listener (one shared by all without
 * {@code per_listener_settings}), the plug-ins, the login throttle and the small thread pool that
 * runs password hashing off the event loops.
 */
public final class BrokerSecurity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSecurity.class);
    /** Logins waiting for a hashing thread beyond which new ones are refused as "server busy". */
    static final int MAX_PENDING_LOGINS = 4_096;

    private final ThreadPoolExecutor hashing;
    private final LoginThrottle throttle;
    private final Map<ListenerConfig, AccessControl> byListener = new LinkedHashMap<>();
    private final List<AccessControl> all = new ArrayList<>();
    private final List<AuthPlugin> plugins = new ArrayList<>();

    private BrokerSecurity(BrokerConfig config) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        this.hashing = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_PENDING_LOGINS), r -> {
                    Thread t = new Thread(r, "tern-auth-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.hashing.allowCoreThreadTimeOut(true);
        this.throttle = new LoginThrottle(config.security().authFailureDelay());
    }

    /**
     * Loads the password and ACL files and creates the plug-ins of every listener.
     *
     * @throws SecurityFileException if a file cannot be used
     * @throws IllegalArgumentException if a plug-in is unknown or refuses its options
     */
    public static BrokerSecurity create(BrokerConfig config) throws SecurityFileException {
        BrokerSecurity s = new BrokerSecurity(config);
        try {
            s.build(config);
        } catch (SecurityFileException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void build(BrokerConfig config) throws SecurityFileException {
        SecureRandom random = new SecureRandom();
        Map<AuthSettings, List<AuthPlugin>> pluginsBySettings = new IdentityHashMap<>();
        Map<String, AccessControl> shared = new LinkedHashMap<>();
        for (ListenerConfig listener : config.effectiveListeners()) {
            AuthSettings auth = config.auth(listener);
            boolean anonymous = config.allowAnonymous(listener);
            // Listeners with the same sources, anonymous rule and certificate rule share one instance
            // (and so one login cache); per listener otherwise.
            String key = System.identityHashCode(auth) + "/" + anonymous + "/"
                    + (listener.tls() == null ? "-" : listener.tls().useIdentityAsUsername() + ","
                    + listener.tls().useSubjectAsUsername());
            AccessControl ac = shared.get(key);
            if (ac == null) {
                List<AuthPlugin> ps = pluginsBySettings.get(auth);
                if (ps == null) {
                    ps = createPlugins(auth);
                    pluginsBySettings.put(auth, ps);
                }
                ac = new AccessControl("listener " + listener.describe(), auth, anonymous, listener.tls(), ps, hashing,
                        throttle, new LoginCache(random));
                shared.put(key, ac);
                all.add(ac);
            }
            byListener.put(listener, ac);
        }
    }

    private List<AuthPlugin> createPlugins(AuthSettings auth) {
        List<AuthPlugin> created = new ArrayList<>();
        for (AuthSettings.PluginConfig pc : auth.plugins()) {
            AuthPluginProvider provider = findProvider(pc.name());
            try {
                AuthPlugin p = provider.create(pc.options());
                created.add(p);
                plugins.add(p);
                LOG.info("Loaded plug-in {} ({}).", pc.name(), provider.getClass().getName());
            } catch (Exception e) {
                throw new IllegalArgumentException("plug-in '" + pc.name() + "' refused its options: " + e.getMessage(), e);
            }
        }
        return created;
    }

    private static AuthPluginProvider findProvider(String name) {
        List<String> known = new ArrayList<>();
        for (AuthPluginProvider p : ServiceLoader.load(AuthPluginProvider.class)) {
            if (p.name().equals(name) || p.getClass().getName().equals(name)) {
                return p;
            }
            known.add(p.name());
        }
        throw new IllegalArgumentException("no plug-in named '" + name + "' on the class path (put its jar in the "
                + "distribution's plugins/ directory); available: " + (known.isEmpty() ? "none" : known));
    }

    /** The access control of a listener. */
    public AccessControl forListener(ListenerConfig listener) {
        AccessControl ac = byListener.get(listener);
        if (ac == null) {
            throw new IllegalArgumentException("unknown listener " + listener.describe());
        }
        return ac;
    }

    /** Every distinct access control. */
    public List<AccessControl> accessControls() {
        return List.copyOf(all);
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    /** Re-reads every password and ACL file (SIGHUP). */
    public boolean reload() {
        boolean ok = true;
        for (AccessControl ac : all) {
            ok &= ac.reload();
        }
        return ok;
    }

    @Override
    public void close() {
        for (AuthPlugin p : plugins) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.warn("Plug-in {} failed to close: {}", p.getClass().getName(), e.toString());
            }
        }
        hashing.shutdownNow();
    }
}
