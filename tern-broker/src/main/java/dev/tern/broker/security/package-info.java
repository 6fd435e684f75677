/**
 * Authentication and authorization: the password file (Mosquitto's {@code $6$}/{@code $7$} entries
 * and Tern's SCRAM-SHA-256 entries), the ACL file in Mosquitto's syntax, the plug-in SPI loaded with
 * {@link java.util.ServiceLoader}, and the throttle that slows down password guessing.
 */
@NullMarked
package dev.tern.broker.security;

import org.jspecify.annotations.NullMarked;
