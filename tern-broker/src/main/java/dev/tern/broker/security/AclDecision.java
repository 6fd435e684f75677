package dev.tern.broker.security;

/** What an {@link AuthPlugin} says about one access. */
public enum AclDecision {
    ALLOW,
    DENY,
    /** No opinion: ask the next plug-in, then the ACL file (no ACL file: allowed). */
    DEFER
}
