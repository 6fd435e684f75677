/**
 * MQTT 5.0 enhanced authentication (section 4.12): the SPI for authentication methods exchanged in
 * CONNECT, AUTH and CONNACK (and re-authentication with AUTH 0x19), and the built-in SCRAM-SHA-256
 * method (RFC 5802, RFC 7677) over a {@link dev.tern.broker.auth.ScramCredentialStore}.
 */
@NullMarked
package dev.tern.broker.auth;

import org.jspecify.annotations.NullMarked;
