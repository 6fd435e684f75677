package dev.tern.broker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.codec.QoS;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SubscriptionsByFilterTest {
    record Named(String clientId) implements Subscriber {
        @Override
        public void deliver(Delivery delivery) {
            throw new AssertionError("not delivered to");
        }
    }

    private final Subscriber who = new Named("c");

    @Test
    @DisplayName("Put replaces the subscription to the same filter; remove and get find it by an equal filter")
    void putReplacesAndRemoveFindsByEqualFilter() {
        SubscriptionsByFilter set = new SubscriptionsByFilter();
        Subscription first = Subscription.of(who, "a/b", QoS.AT_MOST_ONCE);
        Subscription second = Subscription.of(who, new String("a/b"), QoS.EXACTLY_ONCE);
        assertThat(set.put(first)).isNull();
        assertThat(set.put(second)).isSameAs(first);
        assertThat(set.size()).isEqualTo(1);
        assertThat(set.get(new String("a/b"))).isSameAs(second);
        assertThat(set.remove("a/+")).isNull();
        assertThat(set.remove(new String("a/b"))).isSameAs(second);
        assertThat(set.size()).isZero();
        assertThat(set.get("a/b")).isNull();
        assertThat(set.toList()).isEmpty();
    }

    @Test
    @DisplayName("Randomised: agrees with a HashMap through growth, removals with shifted probe runs, and shrinking")
    void randomisedAgainstHashMap() {
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            SubscriptionsByFilter set = new SubscriptionsByFilter();
            Map<String, Subscription> model = new HashMap<>();
            // Few distinct filters at first (long probe runs in small tables), then many.
            for (int op = 0; op < 6000; op++) {
                int range = op < 3000 ? 40 : 600;
                String filter = "f/" + r.nextInt(range) + (r.nextBoolean() ? "/+" : "");
                if (r.nextInt(5) < 3) {
                    Subscription s = Subscription.of(who, filter, QoS.of(r.nextInt(3)));
                    assertThat(set.put(s)).as("put %s", filter).isEqualTo(model.put(filter, s));
                } else {
                    assertThat(set.remove(filter)).as("remove %s", filter).isEqualTo(model.remove(filter));
                }
                assertThat(set.size()).isEqualTo(model.size());
                if (op % 50 == 0) {
                    for (String f : model.keySet()) {
                        assertThat(set.get(f)).as("get %s", f).isSameAs(model.get(f));
                    }
                    assertThat(set.toList()).containsExactlyInAnyOrderElementsOf(model.values());
                    assertThat(set.sortedFilters()).isEqualTo(model.keySet().stream().sorted().toList());
                }
            }
            List<String> filters = new ArrayList<>(model.keySet());
            java.util.Collections.shuffle(filters, r);
            for (String f : filters) {
                assertThat(set.remove(f)).isSameAs(model.remove(f));
                assertThat(set.get(f)).isNull();
            }
            assertThat(set.size()).isZero();
            set.clear();
            assertThat(set.toList()).isEmpty();
        }
    }
}
