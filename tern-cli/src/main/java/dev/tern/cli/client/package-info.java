/**
 * {@code tern pub}, {@code tern sub} and {@code tern rr}: the mosquitto_pub, mosquitto_sub and
 * mosquitto_rr command lines on top of {@code tern-client}, with the same flags, output and exit
 * codes.
 */
@NullMarked
package dev.tern.cli.client;

import org.jspecify.annotations.NullMarked;
