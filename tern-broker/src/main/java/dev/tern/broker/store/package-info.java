/**
 * Persistence of broker state: a small storage SPI ({@link dev.tern.broker.store.Store}) with an
 * in-memory implementation and a durable one on RocksDB. What is stored: persistent sessions, their
 * subscriptions, outbound queues and in-flight state, inbound QoS 2 packet identifiers, wills, and
 * retained messages. A message queued for many sessions is stored once, with a reference count.
 *
 * <p>Writes are grouped into {@link dev.tern.broker.store.StoreBatch batches}, each applied
 * atomically; the future a commit returns completes when the batch is durable under the store's
 * {@link dev.tern.broker.store.SyncPolicy}, so that the broker acknowledges only what survives a crash.
 */
@NullMarked
package dev.tern.broker.store;

import org.jspecify.annotations.NullMarked;
