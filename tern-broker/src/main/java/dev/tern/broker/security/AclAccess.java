package dev.tern.broker.security;

/** What a client wants to do with a topic, as an ACL checks it. */
public enum AclAccess {
    /** Receive a message published to a topic (delivery, retained messages, wills). */
    READ,
    /** Publish to a topic (PUBLISH, and the will topic at CONNECT). */
    WRITE,
    /** Subscribe to a topic filter. */
    SUBSCRIBE
}
