package dev.tern.broker.auth;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The enhanced authentication methods a broker offers, by name. Immutable. */
public final class AuthenticationMethods {
    /** No methods: a CONNECT with an Authentication Method is refused with 0x8C. */
    public static final AuthenticationMethods NONE = new AuthenticationMethods(Map.of());

    private final Map<String, AuthenticationMethod> byName;

    private AuthenticationMethods(Map<String, AuthenticationMethod> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** These methods; a later method with the same name replaces an earlier one. */
    public static AuthenticationMethods of(Collection<AuthenticationMethod> methods) {
        Map<String, AuthenticationMethod> m = new LinkedHashMap<>();
        for (AuthenticationMethod method : methods) {
            m.put(method.name(), method);
        }
        return new AuthenticationMethods(m);
    }

    /** The method of this name, or null. */
    public @Nullable AuthenticationMethod get(String name) {
        return byName.get(name);
    }

    /** True if no method is offered. */
    public boolean isEmpty() {
        return byName.isEmpty();
    }
}
