package dev.tern.broker.spec.v5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/conformance-5.0.md honest: every MQTT 5.0 statement that binds the server is cited by a
 * test display name in spec/v5 or the interop tests, or has a written reason, and has its row on the
 * page (which scripts/conformance-5.0.py generates).
 */
class ConformanceMapTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ID = Pattern.compile("\\[(MQTT-\\d+\\.\\d+(?:\\.\\d+)?-\\d+)]");
    private static final Pattern LABEL = Pattern.compile(
            "@(?:DisplayName|ParameterizedTest)\\((.*?)\\)\\s*\\n", Pattern.DOTALL);

    private static List<String> serverStatements() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/spec/mqtt-5.0-statements.tsv"))) {
            String[] f = line.split("\t");
            if (!line.startsWith("#") && f.length == 4 && (f[2].equals("server") || f[2].equals("both"))) {
                ids.add(f[0]);
            }
        }
        return ids;
    }

    private static Set<String> cited() throws IOException {
        Set<String> ids = new HashSet<>();
        Path tests = ROOT.resolve("tern-broker/src/test/java/dev/tern/broker");
        for (Path dir : List.of(tests.resolve("spec/v5"), tests.resolve("interop"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher labels = LABEL.matcher(Files.readString(f, StandardCharsets.UTF_8));
                    while (labels.find()) {
                        Matcher m = ID.matcher(labels.group(1));
                        while (m.find()) {
                            ids.add(m.group(1));
                        }
                    }
                }
            }
        }
        return ids;
    }

    @Test
    @DisplayName("every MQTT 5.0 server statement has a test or a written reason, and a row in conformance-5.0.md")
    void everyStatementMapped() throws IOException {
        Set<String> reasons = new HashSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/spec/mqtt-5.0-reasons.tsv"))) {
            if (!line.startsWith("#") && line.contains("\t")) {
                reasons.add(line.substring(0, line.indexOf('\t')));
            }
        }
        Set<String> cited = cited();
        String page = Files.readString(ROOT.resolve("docs/conformance-5.0.md"));
        List<String> statements = serverStatements();
        assertThat(statements).hasSize(226);
        List<String> unmapped = statements.stream().filter(id -> !cited.contains(id) && !reasons.contains(id)).toList();
        assertThat(unmapped).as("statements without a test or a reason").isEmpty();
        List<String> missingRows = statements.stream().filter(id -> !page.contains("| " + id + " |")).toList();
        assertThat(missingRows).as("rows missing from docs/conformance-5.0.md (run scripts/conformance-5.0.py)")
                .isEmpty();
    }
}
