package dev.tern.broker.routing;

import dev.tern.codec.QoS;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Every shared subscription group by its full filter. A group enters the subscription trie with its
 * first member and leaves it with its last. Membership changes are serialised by one lock (they are
 * subscribes and unsubscribes, rare next to publishes); lookups are lock-free.
 */
public final class SharedSubscriptions {
    private final SubscriptionTrie trie;
    private final SharedSubscriptionStrategy strategy;
    private final ConcurrentHashMap<String, SharedGroup> groups = new ConcurrentHashMap<>();
    private final Map<String, SharedGroup> guarded = new HashMap<>(); // under this
    private final AtomicLong members = new AtomicLong();

    SharedSubscriptions(SubscriptionTrie trie, SharedSubscriptionStrategy strategy) {
        this.trie = trie;
        this.strategy = strategy;
    }

    /**
     * Adds or replaces a member. The subscription's filter is the full {@code $share/...} filter.
     *
     * @return the member's previous subscription to this group, or null
     */
    synchronized @Nullable Subscription add(Subscription member) {
        SharedFilter f = SharedFilter.parse(member.filter());
        String key = f.full();
        SharedGroup group = guarded.get(key);
        if (group == null) {
            group = new SharedGroup(f, strategy);
            guarded.put(key, group);
            groups.put(key, group);
            trie.add(new Subscription(group, f.filter(), QoS.EXACTLY_ONCE, false, false, 2, 0));
        }
        Subscription previous = group.put(member);
        if (previous == null) {
            members.incrementAndGet();
        }
        return previous;
    }

    /** Removes a member; the last member takes the group out of the trie. */
    synchronized @Nullable Subscription remove(Subscriber subscriber, String fullFilter) {
        SharedGroup group = guarded.get(fullFilter);
        if (group == null) {
            return null;
        }
        Subscription removed = group.remove(subscriber);
        if (removed != null) {
            members.decrementAndGet();
            if (group.size() == 0) {
                guarded.remove(fullFilter);
                groups.remove(fullFilter, group);
                trie.remove(group, group.topicFilter());
            }
        }
        return removed;
    }

    /** The group of a full filter, or null. */
    public @Nullable SharedGroup group(String fullFilter) {
        return groups.get(fullFilter);
    }

    /** Number of memberships over all groups ($SYS shared_subscriptions/count). */
    public long memberCount() {
        return members.get();
    }

    /** Number of groups. */
    public int groupCount() {
        return groups.size();
    }
}
