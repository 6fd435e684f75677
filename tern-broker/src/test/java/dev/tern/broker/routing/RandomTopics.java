package dev.tern.broker.routing;

import dev.tern.codec.Topics;
import java.util.Random;

/**
 * Random topic names and valid topic filters built from a fixed set of levels, for the randomised
 * tests that compare the trie and the router with naive models.
 */
final class RandomTopics {
    private final String[] levels;
    private final int maxLevels;

    /** Topics and filters of 1 to {@code maxLevels} levels, each drawn from {@code levels}. */
    RandomTopics(int maxLevels, String... levels) {
        this.levels = levels.clone();
        this.maxLevels = maxLevels;
    }

    /** A topic name (no wildcards). */
    String topic(Random r) {
        int n = 1 + r.nextInt(maxLevels);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(levels[r.nextInt(levels.length)]);
        }
        return sb.toString();
    }

    /** A valid filter: levels, '+' (twice as likely as any one level) and a trailing '#'. */
    String filter(Random r) {
        while (true) {
            int n = 1 + r.nextInt(maxLevels);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append('/');
                }
                int k = r.nextInt(levels.length + 3);
                if (k == levels.length && i == n - 1) {
                    sb.append('#');
                } else if (k >= levels.length) {
                    sb.append('+');
                } else {
                    sb.append(levels[k]);
                }
            }
            String f = sb.toString();
            if (Topics.checkFilter(f) == null) {
                return f;
            }
        }
    }
}
