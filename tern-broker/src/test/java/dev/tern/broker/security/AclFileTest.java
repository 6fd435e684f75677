package dev.tern.broker.security;

import static dev.tern.broker.security.AclAccess.READ;
import static dev.tern.broker.security.AclAccess.SUBSCRIBE;
import static dev.tern.broker.security.AclAccess.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AclFileTest {
    private static final Path ORIGIN = Path.of("acl");

    private static AclFile acl(String... lines) throws SecurityFileException {
        return AclFile.parse(List.of(lines), ORIGIN);
    }

    @Test
    @DisplayName("topic lines before any user line are the anonymous clients' rules")
    void anonymousRules() throws Exception {
        AclFile a = acl("topic read public/#", "user alice", "topic alice/#");
        assertThat(a.allows("c", null, "public/x", READ)).isTrue();
        assertThat(a.allows("c", null, "public/x", WRITE)).isFalse();
        assertThat(a.allows("c", null, "alice/x", READ)).isFalse();
        assertThat(a.allows("c", "alice", "public/x", READ)).as("users do not get the anonymous rules").isFalse();
        assertThat(a.allows("c", "alice", "alice/x/y", WRITE)).as("no access word means readwrite").isTrue();
        assertThat(a.allows("c", "alice", "alice/x/y", READ)).isTrue();
        assertThat(a.allows("c", "bob", "alice/x", READ)).as("unknown users have no rules").isFalse();
    }

    @Test
    @DisplayName("read, write, readwrite and deny; deny rules win wherever they are in the user's section")
    void accessWords() throws Exception {
        AclFile a = acl("user u", "topic read r/#", "topic write w/#", "topic readwrite rw/#",
                "topic readwrite secret/#", "topic deny secret/keys");
        assertThat(a.allows("c", "u", "r/1", READ)).isTrue();
        assertThat(a.allows("c", "u", "r/1", WRITE)).isFalse();
        assertThat(a.allows("c", "u", "w/1", WRITE)).isTrue();
        assertThat(a.allows("c", "u", "w/1", READ)).isFalse();
        assertThat(a.allows("c", "u", "rw/1", READ)).isTrue();
        assertThat(a.allows("c", "u", "rw/1", WRITE)).isTrue();
        assertThat(a.allows("c", "u", "secret/other", READ)).isTrue();
        assertThat(a.allows("c", "u", "secret/keys", READ)).isFalse();
        assertThat(a.allows("c", "u", "secret/keys", WRITE)).isFalse();
    }

    @Test
    @DisplayName("patterns apply to everyone with %c and %u; %u patterns skip anonymous clients")
    void patterns() throws Exception {
        AclFile a = acl("pattern readwrite devices/%c/#", "pattern read users/%u/inbox", "user alice",
                "topic read other/#");
        assertThat(a.allows("dev1", "alice", "devices/dev1/temp", WRITE)).isTrue();
        assertThat(a.allows("dev1", "alice", "devices/dev2/temp", WRITE)).isFalse();
        assertThat(a.allows("dev1", "alice", "users/alice/inbox", READ)).isTrue();
        assertThat(a.allows("dev1", "alice", "users/bob/inbox", READ)).isFalse();
        assertThat(a.allows("dev1", null, "devices/dev1/x", READ)).as("%c applies to anonymous clients").isTrue();
        assertThat(a.allows("dev1", null, "users/%u/inbox", READ)).as("%u never matches an anonymous client").isFalse();
        assertThat(a.allows("dev1", "alice", "other/x", READ)).as("user rules come before patterns").isTrue();
    }

    @Test
    @DisplayName("with patterns, a client id or user name containing + or # is denied (it could widen %c/%u)")
    void wildcardIdentitiesDenied() throws Exception {
        AclFile a = acl("pattern readwrite devices/%c/#");
        assertThat(a.allows("+", null, "devices/x/y", READ)).isFalse();
        assertThat(a.allows("#", null, "devices/#/y", READ)).isFalse();
        assertThat(a.allows("ok", "a+b", "devices/ok/y", READ)).isFalse();
        assertThat(a.allows("ok", "ab", "devices/ok/y", READ)).isTrue();
    }

    @Test
    @DisplayName("rules starting with a wildcard do not grant $ topics; $SYS needs an explicit rule")
    void dollarTopics() throws Exception {
        AclFile a = acl("user u", "topic read #", "user admin", "topic read $SYS/#");
        assertThat(a.allows("c", "u", "$SYS/broker/uptime", READ)).isFalse();
        assertThat(a.allows("c", "admin", "$SYS/broker/uptime", READ)).isTrue();
    }

    @Test
    @DisplayName("SUBSCRIBE: allowed if a read rule can match some topic of the filter and no deny rule covers it")
    void subscribe() throws Exception {
        AclFile a = acl("user u", "topic read sensors/#", "topic write cmd/#", "topic deny sensors/secret/#",
                "topic read +/status");
        assertThat(a.allows("c", "u", "sensors/#", SUBSCRIBE)).isTrue();
        assertThat(a.allows("c", "u", "sensors/+/temp", SUBSCRIBE)).isTrue();
        assertThat(a.allows("c", "u", "#", SUBSCRIBE)).as("overlaps sensors/#; deliveries are checked one by one")
                .isTrue();
        assertThat(a.allows("c", "u", "cmd/x/#", SUBSCRIBE)).as("write-only").isFalse();
        assertThat(a.allows("c", "u", "cmd/#", SUBSCRIBE)).as("cmd/status is readable through +/status").isTrue();
        assertThat(a.allows("c", "u", "sensors/secret/#", SUBSCRIBE)).as("wholly denied").isFalse();
        assertThat(a.allows("c", "u", "sensors/secret/a", SUBSCRIBE)).isFalse();
        assertThat(a.allows("c", "u", "other/status", SUBSCRIBE)).isTrue();
        assertThat(a.allows("c", "u", "other/x", SUBSCRIBE)).isFalse();
        assertThat(a.allows("c", "u", "$SYS/#", SUBSCRIBE)).isFalse();
    }

    @Test
    @DisplayName("syntax errors name the file and line")
    void syntaxErrors() {
        assertThatThrownBy(() -> acl("topic", "")).hasMessageContaining("acl:1: expected 'topic");
        assertThatThrownBy(() -> acl("# ok", "topic maybe a/b")).hasMessageContaining("acl:2: unknown access 'maybe'");
        assertThatThrownBy(() -> acl("topic read a/#/b")).hasMessageContaining("acl:1: invalid topic 'a/#/b'");
        assertThatThrownBy(() -> acl("user")).hasMessageContaining("acl:1: 'user' needs a user name");
        assertThatThrownBy(() -> acl("users alice")).hasMessageContaining("acl:1: unknown keyword 'users'");
    }

    @Test
    @DisplayName("an empty file denies everything, as Mosquitto's does")
    void emptyFileDenies() throws Exception {
        AclFile a = acl("# nothing");
        assertThat(a.allows("c", null, "x", READ)).isFalse();
        assertThat(a.allows("c", "u", "x", WRITE)).isFalse();
    }
}
