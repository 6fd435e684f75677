package dev.tern.broker.connection;

import dev.tern.broker.auth.AuthenticationContext;
import dev.tern.broker.auth.AuthenticationExchange;
import dev.tern.broker.auth.AuthenticationMethod;
import dev.tern.broker.auth.AuthenticationStep;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.ReasonCodes;
import dev.tern.codec.packet.Auth;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT 5.0 enhanced authentication of one connection (section 4.12): the exchange of AUTH packets
 * before CONNACK, and re-authentication with AUTH 0x19 afterwards, driven by an
 * {@link AuthenticationMethod}. Steps the method answers later are brought back onto the connection's
 * event loop. Event loop only.
 */
final class EnhancedAuthentication {
    private final MqttConnection connection;
    private final AuthenticationMethod method;
    private final @Nullable String username;
    private @Nullable AuthenticationExchange exchange;
    private @Nullable String authenticatedUser;
    private byte @Nullable [] successData;
    /** The broker waits for the client's AUTH 0x18 answer to its challenge. */
    private boolean awaitingAnswer;
    private boolean reauthenticating;

    EnhancedAuthentication(MqttConnection connection, AuthenticationMethod method, @Nullable String username) {
        this.connection = connection;
        this.method = method;
        this.username = username;
    }

    /** The method's name, for CONNACK and every AUTH (MQTT-4.12.0-5). */
    String methodName() {
        return method.name();
    }

    /** The method's final data for the client's CONNACK, or null. */
    byte @Nullable [] successData() {
        return successData;
    }

    /** Starts the exchange with the CONNECT's Authentication Data. */
    void begin(byte @Nullable [] data) {
        exchange = method.begin(new AuthenticationContext(connection.clientId(), username, false, null));
        run(exchange.respond(orEmpty(data)));
    }

    /** An AUTH before CONNACK: only the answer to a challenge, with reason 0x18 and the same method. */
    void onAuthBeforeConnAck(Auth a) {
        if (!awaitingAnswer || a.reasonCode() != ReasonCodes.CONTINUE_AUTHENTICATION
                || !method.name().equals(a.properties().authenticationMethod())) {
            connection.refuseConnect(ReasonCodes.PROTOCOL_ERROR, "sent AUTH 0x" + Integer.toHexString(a.reasonCode())
                    + " with method " + a.properties().authenticationMethod() + " during authentication"
                    + " [MQTT-4.12.0-3, MQTT-4.12.0-5]");
            return;
        }
        awaitingAnswer = false;
        run(exchange.respond(orEmpty(a.properties().authenticationData())));
    }

    /** An AUTH on an established connection: re-authentication (MQTT 5.0 section 4.12.1). */
    void onAuthAfterConnAck(Auth a) {
        if (!method.name().equals(a.properties().authenticationMethod())) {
            connection.protocolError("sent AUTH with another authentication method [MQTT-4.12.1-1]",
                    ReasonCodes.PROTOCOL_ERROR);
            return;
        }
        if (a.reasonCode() == ReasonCodes.RE_AUTHENTICATE && !reauthenticating) {
            reauthenticating = true;
            exchange = method.begin(new AuthenticationContext(connection.clientId(), username, true,
                    authenticatedUser));
            run(exchange.respond(orEmpty(a.properties().authenticationData())));
        } else if (a.reasonCode() == ReasonCodes.CONTINUE_AUTHENTICATION && reauthenticating && awaitingAnswer) {
            awaitingAnswer = false;
            run(exchange.respond(orEmpty(a.properties().authenticationData())));
        } else {
            connection.protocolError("sent AUTH 0x" + Integer.toHexString(a.reasonCode()) + " out of sequence",
                    ReasonCodes.PROTOCOL_ERROR);
        }
    }

    private static byte[] orEmpty(byte @Nullable [] data) {
        return data == null ? new byte[0] : data;
    }

    /** Runs a step on this loop once the method has answered. */
    private void run(CompletionStage<AuthenticationStep> stage) {
        var future = stage.toCompletableFuture();
        if (future.isDone() && !future.isCompletedExceptionally() && connection.eventLoop().inEventLoop()) {
            onStep(future.getNow(null), null);
            return;
        }
        stage.whenComplete((step, error) -> connection.eventLoop().execute(() -> onStep(step, error)));
    }

    private void onStep(@Nullable AuthenticationStep step, @Nullable Throwable error) {
        if (!connection.isOpen()) {
            return;
        }
        if (step == null) {
            ConnectionLog.LOG.error("Authentication method {} failed for client {}", method.name(),
                    connection.clientId(), error);
            step = new AuthenticationStep.Failure(ReasonCodes.UNSPECIFIED_ERROR, "authentication failed");
        }
        PacketWriter writer = connection.writer();
        switch (step) {
            case AuthenticationStep.Continue c -> {
                awaitingAnswer = true;
                writer.write(new Auth(ReasonCodes.CONTINUE_AUTHENTICATION, MqttProperties.builder()
                        .authenticationMethod(method.name()).authenticationData(c.serverData()).build())); // 4.12.0-2
                writer.flush();
            }
            case AuthenticationStep.Success ok -> {
                awaitingAnswer = false;
                exchange = null;
                authenticatedUser = ok.authenticatedUser();
                if (reauthenticating) {
                    reauthenticating = false;
                    MqttProperties.Builder b = MqttProperties.builder().authenticationMethod(method.name());
                    if (ok.serverData() != null) {
                        b.authenticationData(ok.serverData());
                    }
                    writer.write(new Auth(ReasonCodes.SUCCESS, b.build()));
                    writer.flush();
                    ConnectionLog.LOG.info("Client {} re-authenticated as '{}' with {}.", connection.clientId(),
                            authenticatedUser, method.name());
                } else {
                    successData = ok.serverData();
                    connection.acceptAuthenticated(ok.authenticatedUser());
                }
            }
            case AuthenticationStep.Failure f -> {
                exchange = null;
                if (reauthenticating) {
                    // 0x86 is not a DISCONNECT reason code; "not authorized" is (MQTT-4.12.1-2).
                    int code = f.reasonCode() == ReasonCodes.BAD_USER_NAME_OR_PASSWORD ? ReasonCodes.NOT_AUTHORIZED
                            : f.reasonCode();
                    connection.closeForReason("failed re-authentication with " + method.name() + ": " + f.reason(),
                            code, f.reason());
                } else {
                    connection.refuseConnect(f.reasonCode(),
                            "authentication with " + method.name() + " failed: " + f.reason());
                }
            }
        }
    }
}
