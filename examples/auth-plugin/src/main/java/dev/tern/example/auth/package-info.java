/** An example authentication/authorization plug-in for Tern: an HTTP auth service and per-user topics. */
@NullMarked
package dev.tern.example.auth;

import org.jspecify.annotations.NullMarked;
