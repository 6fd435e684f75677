/** Messages, the subscription trie, retained messages and fan-out to subscribers. */
@NullMarked
package dev.tern.broker.routing;

import org.jspecify.annotations.NullMarked;
