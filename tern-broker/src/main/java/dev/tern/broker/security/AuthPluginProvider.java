package dev.tern.broker.security;

import java.util.Map;

/**
 * The {@link java.util.ServiceLoader} service through which the broker finds plug-ins: a jar on the
 * class path (the distribution's {@code lib/} or {@code plugins/} directory) lists its provider in
 * {@code META-INF/services/dev.tern.broker.security.AuthPluginProvider}, and the configuration
 * names it with {@code plugin NAME}, followed by {@code plugin_opt_KEY VALUE} lines.
 */
public interface AuthPluginProvider {
    /** The name the {@code plugin} line uses (the provider's class name is accepted as well). */
    String name();

    /**
     * Creates a plug-in instance; called once per {@code plugin} line.
     *
     * @param options the {@code plugin_opt_*} options, keys without the prefix
     * @throws Exception if the options are unusable; the broker does not start and shows the message
     */
    AuthPlugin create(Map<String, String> options) throws Exception;
}
