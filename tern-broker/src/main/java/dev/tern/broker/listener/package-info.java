/** Netty bootstrap of the listeners and the per-channel pipeline. */
@NullMarked
package dev.tern.broker.listener;

import org.jspecify.annotations.NullMarked;
