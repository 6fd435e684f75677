package dev.tern.broker.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PublishSequencerTest {
    final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    final List<String> flushes = new ArrayList<>();
    final PublishSequencer sequencer = new PublishSequencer(loop::add, () -> flushes.add("flush"));
    final List<String> done = new ArrayList<>();

    void runLoop() {
        Runnable r;
        while ((r = loop.poll()) != null) {
            r.run();
        }
    }

    @Test
    @DisplayName("with nothing waiting a step runs at once")
    void immediate() {
        sequencer.submit(() -> done.add("a"));
        assertThat(done).containsExactly("a");
        assertThat(loop).isEmpty();
    }

    @Test
    @DisplayName("a step that needs nothing waits behind one that waits for the store (MQTT-4.6.0-2)")
    void keepsOrder() {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        sequencer.submit(stored, e -> done.add("first"));
        sequencer.submit(() -> done.add("second"));
        CompletableFuture<Void> alsoStored = new CompletableFuture<>();
        sequencer.submit(alsoStored, e -> done.add("third"));
        alsoStored.complete(null);
        runLoop();
        assertThat(done).isEmpty();
        assertThat(sequencer.waiting()).isEqualTo(3);
        stored.complete(null);
        runLoop();
        assertThat(done).containsExactly("first", "second", "third");
        assertThat(sequencer.waiting()).isZero();
        assertThat(flushes).as("one flush after the steps that waited").containsExactly("flush");
    }

    @Test
    @DisplayName("a failed store write reaches its step as the cause")
    void failure() {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        List<Throwable> errors = new ArrayList<>();
        sequencer.submit(stored, errors::add);
        stored.completeExceptionally(new IllegalStateException("disk full"));
        runLoop();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessage("disk full"));
    }
}
