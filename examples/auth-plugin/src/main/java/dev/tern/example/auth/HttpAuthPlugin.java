package dev.tern.example.auth;

import dev.tern.broker.security.AclAccess;
import dev.tern.broker.security.AclDecision;
import dev.tern.broker.security.AuthDecision;
import dev.tern.broker.security.AuthPlugin;
import dev.tern.broker.security.AuthRequest;
import dev.tern.broker.security.ClientIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Asks an HTTP service about every client that sends a user name: it POSTs
 * {@code {"clientid": ..., "username": ..., "password": BASE64}} and takes 200 as "allow", 401 or
 * 403 as "deny", anything else (and clients without a user name) as "no opinion", leaving the
 * decision to the password file and {@code allow_anonymous}. The call is asynchronous: the broker's
 * event loops never wait for the service.
 *
 * <p>With {@code topic_root}, users may publish and subscribe only below {@code ROOT/USERNAME/}.
 */
final class HttpAuthPlugin implements AuthPlugin {
    private final URI url;
    private final Duration timeout;
    private final @Nullable String topicRoot;
    private final HttpClient http;

    HttpAuthPlugin(URI url, Duration timeout, @Nullable String topicRoot) {
        this.url = url;
        this.timeout = timeout;
        this.topicRoot = topicRoot;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(AuthRequest request) {
        if (request.username() == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(AuthDecision.defer());
        }
        byte[] password = request.password() == null ? new byte[0] : request.password();
        String body = "{\"clientid\":" + json(request.clientId()) + ",\"username\":" + json(request.username())
                + ",\"password\":\"" + Base64.getEncoder().encodeToString(password) + "\"}";
        HttpRequest post = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return http.sendAsync(post, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
            if (error != null) {
                return AuthDecision.deny(AuthDecision.Reason.NOT_AUTHORIZED, "auth service unreachable: " + error);
            }
            return switch (response.statusCode()) {
                case 200 -> AuthDecision.allow();
                case 401, 403 -> AuthDecision.deny(AuthDecision.Reason.BAD_CREDENTIALS,
                        "refused by the auth service (HTTP " + response.statusCode() + ")");
                default -> AuthDecision.defer();
            };
        });
    }

    @Override
    public AclDecision authorize(ClientIdentity client, AclAccess access, String topic) {
        if (topicRoot == null || client.username() == null) {
            return AclDecision.DEFER;
        }
        String own = topicRoot + "/" + client.username() + "/";
        return topic.startsWith(own) ? AclDecision.ALLOW : AclDecision.DENY;
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
