package dev.tern.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.TernBroker;
import dev.tern.client.example.TernSample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's version of the Eclipse Paho sample (connect, will, subscribe with a callback, publish)
 * is {@code example/TernSample.java} verbatim, and it runs against a Tern broker.
 */
class ReadmeExampleTest {
    private static final Path SAMPLE = Path.of("src/test/java/dev/tern/client/example/TernSample.java");
    private static final Path README = Path.of("../README.md");

    @Test
    @DisplayName("the README shows TernSample.java exactly")
    void readmeShowsTheSample() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String sample = Files.readString(SAMPLE, StandardCharsets.UTF_8);
        String body = sample.substring(sample.indexOf("import "));
        int start = readme.indexOf("<!-- TernSample.java -->");
        assertThat(start).as("marker in README").isGreaterThan(0);
        String block = readme.substring(readme.indexOf("```java\n", start) + 8, readme.indexOf("```\n", start + 20));
        assertThat(block).isEqualTo(body);
    }

    @Test
    @DisplayName("TernSample runs against a Tern broker: connects, subscribes, publishes at QoS 2, receives")
    void sampleRunsAgainstTern() throws Exception {
        try (TernBroker broker = TernBroker.builder().port(0).build().start()) {
            PrintStream original = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                TernSample.main(new String[] {"mqtt://127.0.0.1:" + broker.port()});
            } finally {
                System.setOut(original);
            }
            java.util.List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
            // The message may arrive before or after the publisher's PUBCOMP: those two lines can swap.
            assertThat(lines).hasSize(6);
            assertThat(lines.subList(0, 3)).containsExactly("Connecting to broker: mqtt://127.0.0.1:" + broker.port(),
                    "Connected", "Publishing message: Message from TernSample");
            assertThat(lines.subList(3, 5)).containsExactlyInAnyOrder("Message published",
                    "Received on MQTT Examples: Message from TernSample");
            assertThat(lines.get(5)).isEqualTo("Disconnected");
        }
    }
}
