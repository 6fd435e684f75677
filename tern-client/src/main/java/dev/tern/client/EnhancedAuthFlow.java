package dev.tern.client;

import dev.tern.codec.MqttProperties;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Auth;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * MQTT 5.0 enhanced authentication after CONNECT: the AUTH exchange of a connection attempt (the
 * {@link EnhancedAuthenticator} answers each Continue Authentication) and re-authentication of a live
 * connection ({@link #reauthenticate}), which completes on the server's AUTH Success.
 */
// event loop only
final class EnhancedAuthFlow {
    /** What the flow needs from the session that owns the connection. */
    interface Session {
        /** Writes and flushes an AUTH packet. */
        void send(Channel ch, Auth packet);

        /** The server broke the protocol: close (5.0: with a DISCONNECT giving {@code reasonCode}). */
        void protocolError(Channel ch, int reasonCode, String why);

        /** Closes the connection for {@code reason}, which the application sees. */
        void abort(Channel ch, MqttClientException reason);
    }

    private final @Nullable EnhancedAuthenticator authenticator;
    private final Session session;
    private @Nullable CompletableFuture<Void> reauthentication;

    EnhancedAuthFlow(@Nullable EnhancedAuthenticator authenticator, Session session) {
        this.authenticator = authenticator;
        this.session = session;
    }

    /** An AUTH from the server; {@code connected} once the CONNACK was accepted. */
    void onAuth(Channel ch, Auth a, boolean connected) {
        EnhancedAuthenticator auth = authenticator;
        MqttProperties p = a.properties();
        if (auth == null || !auth.method().equals(p.authenticationMethod())) {
            // AUTH without (or with another) method than the client's is a protocol error.
            session.protocolError(ch, ReasonCodes.PROTOCOL_ERROR, "AUTH with an unexpected authentication method");
            return;
        }
        if (a.reasonCode() == ReasonCodes.CONTINUE_AUTHENTICATION) {
            byte[] next;
            try {
                next = auth.onContinue(p.authenticationData(), p);
            } catch (RuntimeException e) {
                session.abort(ch, new MqttClientException("authentication aborted: " + e.getMessage(),
                        ReasonCodes.NOT_AUTHORIZED, e));
                return;
            }
            MqttProperties reply = MqttProperties.builder().authenticationMethod(auth.method())
                    .authenticationData(next).build();
            session.send(ch, new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, reply));
        } else if (a.reasonCode() == ReasonCodes.SUCCESS && connected) {
            CompletableFuture<Void> f = reauthentication;
            reauthentication = null;
            try {
                auth.onSuccess(p.authenticationData(), p);
            } catch (RuntimeException e) {
                if (f != null) {
                    f.completeExceptionally(e);
                }
                session.protocolError(ch, ReasonCodes.NOT_AUTHORIZED, "the server's re-authentication was not accepted");
                return;
            }
            if (f != null) {
                f.complete(null);
            }
        } else {
            session.protocolError(ch, ReasonCodes.PROTOCOL_ERROR,
                    "unexpected AUTH reason 0x" + Integer.toHexString(a.reasonCode()));
        }
    }

    /** Starts re-authentication on the live connection {@code ch} (null: not connected). */
    CompletableFuture<Void> reauthenticate(@Nullable Channel ch) {
        EnhancedAuthenticator auth = authenticator;
        if (auth == null) {
            return CompletableFuture.failedFuture(new MqttClientException("no enhanced authentication configured"));
        }
        if (ch == null) {
            return CompletableFuture.failedFuture(new MqttClientException("not connected"));
        }
        if (reauthentication != null) {
            return reauthentication;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        reauthentication = f;
        MqttProperties p = MqttProperties.builder().authenticationMethod(auth.method())
                .authenticationData(auth.initialData()).build();
        session.send(ch, new Auth(ReasonCodes.RE_AUTHENTICATE, p));
        return f;
    }

    /** The connection ended: a re-authentication in progress fails. */
    void connectionLost() {
        CompletableFuture<Void> f = reauthentication;
        reauthentication = null;
        if (f != null) {
            f.completeExceptionally(new MqttClientException("connection lost during re-authentication"));
        }
    }
}
