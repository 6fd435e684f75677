/**
 * {@code tern bench}: an MQTT load generator in the spirit of emqtt-bench. It drives Netty and the
 * codec directly, with pre-encoded packets and a few event loop threads, so that the generator costs
 * far less CPU per message than the broker it measures, while still being a correct MQTT client:
 * packet ids, acknowledgements of every QoS, the in-flight window and keep-alive.
 */
@NullMarked
package dev.tern.cli.bench;

import org.jspecify.annotations.NullMarked;
