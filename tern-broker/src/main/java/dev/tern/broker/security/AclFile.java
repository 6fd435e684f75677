package dev.tern.broker.security;

import dev.tern.codec.Topics;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ACL file in Mosquitto's syntax, evaluated as Mosquitto 2.0 does:
 *
 * <pre>
 * topic [read|write|readwrite|deny] TOPIC     # before any user line: anonymous clients
 * user USERNAME                               # the topic lines that follow are this user's
 * topic [read|write|readwrite|deny] TOPIC
 * pattern [read|write|readwrite|deny] TOPIC   # every client; %c = client id, %u = user name
 * </pre>
 *
 * A check looks at the client's own rules first (deny rules before the others), then at the
 * patterns (deny first); the first matching rule that denies, or grants the access, decides;
 * without one, access is denied. A file with rules denies everything not granted.
 *
 * <p>Subscriptions (which Mosquitto 2.0 never refuses on an ACL file) are refused when a deny rule
 * covers the whole filter or no read rule can match any topic of the filter: such a subscription
 * could never receive a message. Each message is still checked for read access at delivery.
 *
 * <p>Immutable and thread-safe.
 */
public final class AclFile {
    private static final Logger LOG = LoggerFactory.getLogger(AclFile.class);
    private static final int READ = 1;
    private static final int WRITE = 2;
    private static final int DENY = 0;

    /** One rule; deny rules have access 0. */
    private record Rule(String topic, int access, int line) {
        boolean deny() {
            return access == DENY;
        }
    }

    private final Path path;
    private final List<Rule> anonymous;
    private final Map<String, List<Rule>> users;
    private final List<Rule> patterns;

    private AclFile(Path path, List<Rule> anonymous, Map<String, List<Rule>> users, List<Rule> patterns) {
        this.path = path;
        this.anonymous = anonymous;
        this.users = users;
        this.patterns = patterns;
    }

    /** Reads and parses an ACL file. */
    public static AclFile read(Path path) throws SecurityFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new SecurityFileException(path, 0, "the file is not valid UTF-8 text");
        } catch (IOException e) {
            throw new SecurityFileException(path, "cannot read the ACL file: " + e, e);
        }
        return parse(lines, path);
    }

    /** Parses ACL lines as if read from {@code origin}. */
    public static AclFile parse(List<String> lines, Path origin) throws SecurityFileException {
        List<Rule> anonymous = new ArrayList<>();
        Map<String, List<Rule>> users = new HashMap<>();
        List<Rule> patterns = new ArrayList<>();
        List<Rule> current = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int n = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            String rest = parts.length > 1 ? parts[1] : "";
            switch (parts[0]) {
                case "user" -> {
                    if (rest.isEmpty()) {
                        throw new SecurityFileException(origin, n, "'user' needs a user name");
                    }
                    current = users.computeIfAbsent(rest, u -> new ArrayList<>());
                }
                case "topic" -> add(current, rule(rest, n, origin, false));
                case "pattern" -> add(patterns, rule(rest, n, origin, true));
                default -> throw new SecurityFileException(origin, n, "unknown keyword '" + parts[0]
                        + "'; expected topic, pattern or user");
            }
        }
        Map<String, List<Rule>> frozen = new HashMap<>();
        users.forEach((u, rules) -> frozen.put(u, List.copyOf(rules)));
        return new AclFile(origin, List.copyOf(anonymous), Collections.unmodifiableMap(frozen), List.copyOf(patterns));
    }

    /** Deny rules go first, in file order; then the others in file order (as Mosquitto 2.0 sorts them). */
    private static void add(List<Rule> rules, Rule rule) {
        if (rule.deny()) {
            int firstAllow = 0;
            while (firstAllow < rules.size() && rules.get(firstAllow).deny()) {
                firstAllow++;
            }
            rules.add(firstAllow, rule);
        } else {
            rules.add(rule);
        }
    }

    private static Rule rule(String rest, int line, Path origin, boolean pattern) throws SecurityFileException {
        if (rest.isEmpty()) {
            throw new SecurityFileException(origin, line, "expected '" + (pattern ? "pattern" : "topic")
                    + " [read|write|readwrite|deny] TOPIC'");
        }
        String[] parts = rest.split("\\s+", 2);
        int access;
        String topic;
        if (parts.length == 1) {
            access = READ | WRITE; // Mosquitto: a lone topic is readwrite
            topic = parts[0];
        } else {
            access = switch (parts[0]) {
                case "read" -> READ;
                case "write" -> WRITE;
                case "readwrite" -> READ | WRITE;
                case "deny" -> DENY;
                default -> throw new SecurityFileException(origin, line, "unknown access '" + parts[0]
                        + "'; expected read, write, readwrite or deny");
            };
            topic = parts[1].strip();
        }
        String invalid = Topics.checkFilter(topic);
        if (invalid != null) {
            throw new SecurityFileException(origin, line, "invalid topic '" + topic + "': " + invalid);
        }
        if (pattern && !topic.contains("%c") && !topic.contains("%u")) {
            LOG.warn("{}:{}: ACL pattern '{}' contains neither %c nor %u.", origin, line, topic);
        }
        return new Rule(topic, access, line);
    }

    public Path path() {
        return path;
    }

    /** Number of rules (topic and pattern lines). */
    public int ruleCount() {
        int n = anonymous.size() + patterns.size();
        for (List<Rule> r : users.values()) {
            n += r.size();
        }
        return n;
    }

    /**
     * Whether a client may do {@code access} with {@code topic} (a topic name, or a filter for
     * {@link AclAccess#SUBSCRIBE}).
     *
     * @param clientId the client identifier
     * @param username the user name, or null for an anonymous client
     */
    public boolean allows(String clientId, @Nullable String username, String topic, AclAccess access) {
        List<Rule> own = username == null ? anonymous : users.get(username);
        if (own != null) {
            Boolean decided = decide(own, topic, access, clientId, username, false);
            if (decided != null) {
                return decided;
            }
        }
        if (patterns.isEmpty()) {
            return false;
        }
        // Mosquitto: with patterns, a client id or user name holding a wildcard could reach other
        // clients' topics through %c/%u, so it is denied outright.
        if (username != null && (username.indexOf('+') >= 0 || username.indexOf('#') >= 0)
                || clientId.indexOf('+') >= 0 || clientId.indexOf('#') >= 0) {
            LOG.info("ACL denying access to client '{}' with a wildcard in its client id or user name.", clientId);
            return false;
        }
        Boolean decided = decide(patterns, topic, access, clientId, username, true);
        return decided != null && decided;
    }

    private static @Nullable Boolean decide(List<Rule> rules, String topic, AclAccess access, String clientId,
                                            @Nullable String username, boolean pattern) {
        int wanted = access == AclAccess.WRITE ? WRITE : READ;
        for (Rule r : rules) {
            String filter = r.topic;
            if (pattern) {
                if (username == null && filter.contains("%u")) {
                    continue;
                }
                filter = expand(filter, clientId, username);
            }
            if (r.deny()) {
                boolean blocks = access == AclAccess.SUBSCRIBE ? FilterRelations.covers(filter, topic)
                        : Topics.matches(filter, topic);
                if (blocks) {
                    return Boolean.FALSE;
                }
                continue;
            }
            if ((r.access & wanted) == 0) {
                continue;
            }
            boolean grants = access == AclAccess.SUBSCRIBE ? FilterRelations.intersects(filter, topic)
                    : Topics.matches(filter, topic);
            if (grants) {
                return Boolean.TRUE;
            }
        }
        return null;
    }

    private static String expand(String filter, String clientId, @Nullable String username) {
        String s = filter.replace("%c", clientId);
        return username == null ? s : s.replace("%u", username);
    }
}
