/** Broker metrics and the $SYS topics. */
@NullMarked
package dev.tern.broker.sys;

import org.jspecify.annotations.NullMarked;
