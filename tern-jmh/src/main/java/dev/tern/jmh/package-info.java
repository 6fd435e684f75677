/**
 * JMH micro-benchmarks of the subscription trie and the codec, and a heap footprint harness for the
 * trie. Run them with {@code bench/jmh}; the test suite only compiles them.
 */
@NullMarked
package dev.tern.jmh;

import org.jspecify.annotations.NullMarked;
