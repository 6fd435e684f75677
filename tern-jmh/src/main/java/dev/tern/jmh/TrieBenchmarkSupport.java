package dev.tern.jmh;

import dev.tern.broker.routing.Subscriber;
import dev.tern.broker.routing.Subscription;
import dev.tern.broker.routing.SubscriptionTrie;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The trie implementations the benchmarks compare, behind one interface. */
final class TrieBenchmarkSupport {
    private TrieBenchmarkSupport() {}

    /** What the benchmarks call. */
    interface Trie {
        @Nullable Subscription add(Subscription s);

        @Nullable Subscription remove(Subscriber subscriber, String filter);

        void match(String topic, Consumer<Subscription> sink);

        long size();
    }

    /**
     * A trie by name: {@code tern} is {@link SubscriptionTrie} as built, {@code baseline} the
     * implementation before the performance work ({@link BaselineTrie}).
     */
    static Trie create(String impl) {
        return switch (impl) {
            case "tern" -> new Trie() {
                private final SubscriptionTrie trie = new SubscriptionTrie();

                @Override
                public @Nullable Subscription add(Subscription s) {
                    return trie.add(s);
                }

                @Override
                public @Nullable Subscription remove(Subscriber subscriber, String filter) {
                    return trie.remove(subscriber, filter);
                }

                @Override
                public void match(String topic, Consumer<Subscription> sink) {
                    trie.match(topic, sink);
                }

                @Override
                public long size() {
                    return trie.size();
                }
            };
            case "baseline" -> new BaselineTrie();
            default -> throw new IllegalArgumentException("trie implementation '" + impl + "': tern or baseline");
        };
    }
}
