package dev.tern.broker.connection;

/** The $SYS tree is the broker's: clients may read it, never write it. */
final class SysTopics {
    private SysTopics() {}

    static boolean isSysTopic(String topic) {
        return topic.equals("$SYS") || topic.startsWith("$SYS/");
    }
}
