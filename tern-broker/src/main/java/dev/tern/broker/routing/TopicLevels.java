package dev.tern.broker.routing;

import java.util.ArrayList;
import java.util.List;

/** Splits topic names and filters into levels at '/'; empty levels are kept ("a//b" has three). */
final class TopicLevels {
    private TopicLevels() {}

    static String[] split(String topic) {
        int count = 1;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                count++;
            }
        }
        String[] levels = new String[count];
        int start = 0;
        int n = 0;
        for (int i = 0; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels[n++] = topic.substring(start, i);
                start = i + 1;
            }
        }
        levels[n] = topic.substring(start);
        return levels;
    }

    static List<String> splitToList(String topic) {
        return new ArrayList<>(List.of(split(topic)));
    }
}
