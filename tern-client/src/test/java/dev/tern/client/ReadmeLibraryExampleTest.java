package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.broker.TernBroker;
import dev.tern.broker.config.ConfigParser;
import dev.tern.testkit.FreePort;
import dev.tern.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first {@code tern-client} example (builder with TLS, MQTT 5, a persistent session,
 * reconnect, an offline queue and a file store; subscribe; publish with properties) compiled as
 * written and run against a Tern TLS listener. Only its placeholders change: the server address, the
 * CA file and the store file become the test's.
 */
class ReadmeLibraryExampleTest {
    private static final Path README = Path.of("../README.md");
    private static final String HEADING = "## Java client library: `tern-client`";

    /** The first java block after the library heading. */
    static String snippet() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int section = readme.indexOf(HEADING);
        assertThat(section).as("README heading").isPositive();
        int start = readme.indexOf("```java\n", section) + 8;
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    @Test
    @DisplayName("the README's tern-client example compiles and runs against a Tern TLS broker: connects, "
            + "subscribes, publishes with properties and prints the acknowledgement")
    void libraryExampleRunsAgainstTern(@TempDir Path dir) throws Exception {
        String snippet = snippet();
        assertThat(snippet).contains("\"mqtts://broker.example:8883\"", "Path.of(\"ca.pem\")",
                "Path.of(\"sensor-1.store\")");
        TestPki pki = TestPki.create(dir.resolve("pki"), "readme");
        TestPki.Issued server = pki.server("server", List.of("localhost"), List.of("127.0.0.1"));
        int port = FreePort.find();
        String config = "sys_interval 0\nallow_anonymous true\nlistener " + port + " 127.0.0.1\ncertfile "
                + server.certFile() + "\nkeyfile " + server.keyFile() + "\n";
        String body = snippet
                .replace("\"mqtts://broker.example:8883\"", "\"mqtts://localhost:" + port + "\"")
                .replace("Path.of(\"ca.pem\")", "Path.of(\"" + escape(pki.caFile()) + "\")")
                .replace("Path.of(\"sensor-1.store\")", "Path.of(\"" + escape(dir.resolve("sensor-1.store")) + "\")");
        String source = """
                package readme;

                import dev.tern.client.*;
                import dev.tern.codec.MqttVersion;
                import java.nio.file.Path;
                import java.util.List;
                import java.util.concurrent.CopyOnWriteArrayList;

                public class LibraryExample {
                    public static final List<String> HANDLED = new CopyOnWriteArrayList<>();

                    static void handle(String payload) {
                        HANDLED.add(payload);
                    }

                    public static TernClient run() throws Exception {
                %s
                        return client;
                    }
                }
                """.formatted(body.indent(8));
        Path src = dir.resolve("src/readme/LibraryExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        // Surefire runs tests from a manifest-only jar; the real class path is in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-d", classes.toString(), "-classpath", classPath, "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src)).call();
        assertThat(compiled).as("the README example compiles:\n%s", diagnostics).isTrue();

        try (TernBroker broker = TernBroker.builder().config(ConfigParser.parse(config, dir.resolve("tern.conf")))
                .build().start();
                URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                        getClass().getClassLoader())) {
            Class<?> example = loader.loadClass("readme.LibraryExample");
            Method run = example.getMethod("run");
            PrintStream original = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (TernClient client = (TernClient) run.invoke(null)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> captured.toString(StandardCharsets.UTF_8).contains("acknowledged: "));
                // Nobody subscribes to sensors/1/temp: Tern's PUBACK says 0x10, No matching subscribers.
                assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("acknowledged: 16\n");
                assertThat(broker.subscriptionCount()).isEqualTo(1);
                // The example's handler gets what arrives on commands/#.
                client.publish(Message.builder("commands/reboot").payload("now").qos(1).build()).join();
                @SuppressWarnings("unchecked")
                List<String> handled = (List<String>) example.getField("HANDLED").get(null);
                await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("now"));
            } finally {
                System.setOut(original);
            }
        }
    }

    private static String escape(Path p) {
        return p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
