package dev.tern.broker.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a listener (or, without {@code per_listener_settings}, the whole broker) gets its users and
 * permissions from.
 *
 * @param passwordFile {@code password_file}, or null
 * @param aclFile      {@code acl_file}, or null
 * @param plugins      {@code plugin NAME} lines with their {@code plugin_opt_*} options, in file order
 */
public record AuthSettings(@Nullable String passwordFile, @Nullable String aclFile, List<PluginConfig> plugins) {
    /** Nothing configured. */
    public static final AuthSettings NONE = new AuthSettings(null, null, List.of());

    public AuthSettings {
        plugins = List.copyOf(plugins);
    }

    /** True if clients can be authenticated (a password file or a plug-in). */
    public boolean authenticates() {
        return passwordFile != null || !plugins.isEmpty();
    }

    public AuthSettings withPasswordFile(@Nullable String file) {
        return new AuthSettings(file, aclFile, plugins);
    }

    public AuthSettings withAclFile(@Nullable String file) {
        return new AuthSettings(passwordFile, file, plugins);
    }

    public AuthSettings withPlugins(List<PluginConfig> newPlugins) {
        return new AuthSettings(passwordFile, aclFile, newPlugins);
    }

    /**
     * One authentication/authorization plug-in.
     *
     * @param name    the name its {@code dev.tern.broker.security.AuthPluginProvider} answers to
     * @param options its {@code plugin_opt_KEY VALUE} lines, keys without the prefix
     */
    public record PluginConfig(String name, Map<String, String> options) {
        public PluginConfig {
            Objects.requireNonNull(name, "name");
            options = Map.copyOf(options);
        }
    }
}
