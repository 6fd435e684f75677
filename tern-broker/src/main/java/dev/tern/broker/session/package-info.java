/** Sessions: subscriptions, outbound queue, in-flight window and take-over, each owned by one event loop. */
@NullMarked
package dev.tern.broker.session;

import org.jspecify.annotations.NullMarked;
