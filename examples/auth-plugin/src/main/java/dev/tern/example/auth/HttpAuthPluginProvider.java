package dev.tern.example.auth;

import dev.tern.broker.security.AuthPlugin;
import dev.tern.broker.security.AuthPluginProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Registered in {@code META-INF/services/dev.tern.broker.security.AuthPluginProvider}; the broker
 * finds it when the configuration says {@code plugin http-auth}. Options:
 *
 * <pre>
 * plugin http-auth
 * plugin_opt_url http://127.0.0.1:8000/mqtt/auth    # required: where to POST the credentials
 * plugin_opt_timeout_ms 2000                        # optional, default 2000
 * plugin_opt_topic_root users                       # optional: confine user U to users/U/#
 * </pre>
 */
public final class HttpAuthPluginProvider implements AuthPluginProvider {
    @Override
    public String name() {
        return "http-auth";
    }

    @Override
    public AuthPlugin create(Map<String, String> options) {
        String url = options.get("url");
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("plugin_opt_url must be an http:// or https:// URL");
        }
        Duration timeout = Duration.ofMillis(Long.parseLong(options.getOrDefault("timeout_ms", "2000")));
        return new HttpAuthPlugin(URI.create(url), timeout, options.get("topic_root"));
    }
}
