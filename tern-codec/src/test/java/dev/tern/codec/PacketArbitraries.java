package dev.tern.codec;

import dev.tern.codec.SamplePackets.Sample;
import dev.tern.codec.packet.Auth;
import dev.tern.codec.packet.ConnAck;
import dev.tern.codec.packet.Connect;
import dev.tern.codec.packet.Disconnect;
import dev.tern.codec.packet.MqttPacket;
import dev.tern.codec.packet.PingReq;
import dev.tern.codec.packet.PingResp;
import dev.tern.codec.packet.PubAck;
import dev.tern.codec.packet.PubComp;
import dev.tern.codec.packet.PubRec;
import dev.tern.codec.packet.PubRel;
import dev.tern.codec.packet.Publish;
import dev.tern.codec.packet.SubAck;
import dev.tern.codec.packet.Subscribe;
import dev.tern.codec.packet.TopicSubscription;
import dev.tern.codec.packet.UnsubAck;
import dev.tern.codec.packet.Unsubscribe;
import dev.tern.codec.packet.Will;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of valid packets: every field within what its version can express, strings of
 * any Unicode scalar values (supplementary characters included, U+0000 excluded), and for MQTT 5.0
 * any combination of the properties the packet type allows.
 */
final class PacketArbitraries {
    private PacketArbitraries() {}

    private static final Consumer<MqttProperties.Builder> NOTHING = b -> {};

    /** Samples of one packet type in every version that has it. */
    static Arbitrary<Sample> samples(PacketType type) {
        // MQTT 5.0 has the most to get wrong, so it gets half of the tries.
        Arbitrary<MqttVersion> versions = type == PacketType.AUTH ? Arbitraries.just(MqttVersion.MQTT_5)
                : Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(MqttVersion.MQTT_3_1)),
                        Tuple.of(1, Arbitraries.just(MqttVersion.MQTT_3_1_1)),
                        Tuple.of(2, Arbitraries.just(MqttVersion.MQTT_5)));
        return versions.flatMap(v -> packet(type, v).map(p -> new Sample(v, p)));
    }

    /** Samples of every packet type. */
    static Arbitrary<Sample> anySample() {
        return Arbitraries.of(PacketType.class).flatMap(PacketArbitraries::samples);
    }

    static Arbitrary<MqttPacket> packet(PacketType type, MqttVersion v) {
        boolean v5 = v.isV5();
        return switch (type) {
            case CONNECT -> connect(v);
            case CONNACK -> Combinators.combine(Arbitraries.of(true, false),
                    codes(v5 ? ReasonCodeSets.CONNACK_V5 : ReasonCodeSets.CONNACK_V3), props(v, PacketType.CONNACK))
                    .as(ConnAck::new);
            case PUBLISH -> publish(v);
            case PUBACK -> Combinators.combine(packetIds(), ackCode(v, ReasonCodeSets.PUBACK_PUBREC),
                    props(v, PacketType.PUBACK)).as(PubAck::new);
            case PUBREC -> Combinators.combine(packetIds(), ackCode(v, ReasonCodeSets.PUBACK_PUBREC),
                    props(v, PacketType.PUBREC)).as(PubRec::new);
            case PUBREL -> Combinators.combine(packetIds(), ackCode(v, ReasonCodeSets.PUBREL_PUBCOMP),
                    props(v, PacketType.PUBREL)).as(PubRel::new);
            case PUBCOMP -> Combinators.combine(packetIds(), ackCode(v, ReasonCodeSets.PUBREL_PUBCOMP),
                    props(v, PacketType.PUBCOMP)).as(PubComp::new);
            case SUBSCRIBE -> Combinators.combine(packetIds(), subscription(v).list().ofMinSize(1).ofMaxSize(4),
                    props(v, PacketType.SUBSCRIBE)).as(Subscribe::new);
            case SUBACK -> Combinators.combine(packetIds(),
                    codes(v5 ? ReasonCodeSets.SUBACK_V5 : ReasonCodeSets.SUBACK_V3).list().ofMinSize(1).ofMaxSize(8),
                    props(v, PacketType.SUBACK)).as(SubAck::new);
            case UNSUBSCRIBE -> Combinators.combine(packetIds(), strings(12).list().ofMinSize(1).ofMaxSize(4),
                    props(v, PacketType.UNSUBSCRIBE)).as(Unsubscribe::new);
            case UNSUBACK -> v5
                    ? Combinators.combine(packetIds(), codes(ReasonCodeSets.UNSUBACK).list().ofMinSize(1).ofMaxSize(8),
                            props(v, PacketType.UNSUBACK)).as(UnsubAck::new)
                    : packetIds().map(UnsubAck::new);
            case PINGREQ -> Arbitraries.just(PingReq.INSTANCE);
            case PINGRESP -> Arbitraries.just(PingResp.INSTANCE);
            case DISCONNECT -> v5
                    ? Combinators.combine(codes(ReasonCodeSets.DISCONNECT), props(v, PacketType.DISCONNECT))
                            .as(Disconnect::new)
                    : Arbitraries.just(Disconnect.NORMAL);
            case AUTH -> Combinators.combine(codes(ReasonCodeSets.AUTH), props(v, PacketType.AUTH)).as(Auth::new);
        };
    }

    private static Arbitrary<MqttPacket> connect(MqttVersion v) {
        Arbitrary<String> username = strings(10).injectNull(0.4);
        Arbitrary<byte[]> password = binary(10).injectNull(0.4);
        Arbitrary<Will> will = will(v).injectNull(0.4);
        return Combinators.combine(strings(23), Arbitraries.of(true, false), Arbitraries.integers().between(0, 0xFFFF),
                        username, password, will, props(v, PacketType.CONNECT))
                .as((clientId, clean, keepAlive, user, pass, w, props) -> new Connect(v, clientId, clean, keepAlive,
                        user, v.isV5() || user != null ? pass : null, w, props));
    }

    private static Arbitrary<Will> will(MqttVersion v) {
        Arbitrary<MqttProperties> props = v.isV5()
                ? properties(PropertyId::allowedInWill, false) : Arbitraries.just(MqttProperties.EMPTY);
        return Combinators.combine(topicNames(), binary(20), Arbitraries.of(QoS.class), Arbitraries.of(true, false),
                props).as(Will::new);
    }

    private static Arbitrary<MqttPacket> publish(MqttVersion v) {
        Arbitrary<String> topics = v.isV5()
                ? Arbitraries.frequencyOf(Tuple.of(5, topicNames()), Tuple.of(1, Arbitraries.just("")))
                : topicNames();
        Arbitrary<byte[]> payloads = Arbitraries.frequencyOf(Tuple.of(9, binary(40)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(100).ofMaxSize(20_000)));
        return Combinators.combine(topics, Arbitraries.of(QoS.class), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), packetIds(), props(v, PacketType.PUBLISH), payloads)
                .as((topic, qos, retain, dup, id, props, payload) -> {
                    if (topic.isEmpty() && props.topicAlias() == null) {
                        props = props.toBuilder().topicAlias(id).build(); // an empty topic needs an alias
                    }
                    boolean qos0 = qos == QoS.AT_MOST_ONCE;
                    return new Publish(topic, qos, retain, dup && !qos0, qos0 ? 0 : id, props,
                            Unpooled.wrappedBuffer(payload));
                });
    }

    private static Arbitrary<TopicSubscription> subscription(MqttVersion v) {
        if (!v.isV5()) {
            return Combinators.combine(strings(12), Arbitraries.of(QoS.class)).as(TopicSubscription::new);
        }
        return Combinators.combine(strings(12), Arbitraries.of(QoS.class), Arbitraries.of(true, false),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 2)).as(TopicSubscription::new);
    }

    private static Arbitrary<Integer> ackCode(MqttVersion v, ReasonCodeSets allowed) {
        return v.isV5() ? codes(allowed) : Arbitraries.just(0);
    }

    /** The codes of a set, 0x00 included. */
    static Arbitrary<Integer> codes(ReasonCodeSets set) {
        return Arbitraries.of(IntStream.range(0, 256).filter(set::contains).boxed().toList());
    }

    static Arbitrary<Integer> packetIds() {
        return Arbitraries.integers().between(1, 0xFFFF);
    }

    static Arbitrary<byte[]> binary(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /** Unicode scalar values: mostly ASCII, some of the rest of the BMP, some supplementary characters. */
    static Arbitrary<Integer> codePoints() {
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x01, 0x7F);
        Arbitrary<Integer> bmp = Arbitraries.integers().between(0x80, 0xFFFF).filter(c -> c < 0xD800 || c > 0xDFFF);
        Arbitrary<Integer> supplementary = Arbitraries.integers().between(0x1_0000, 0x10_FFFF);
        return Arbitraries.frequencyOf(Tuple.of(6, ascii), Tuple.of(3, bmp), Tuple.of(2, supplementary));
    }

    static Arbitrary<String> strings(int maxCodePoints) {
        return codePoints().list().ofMaxSize(maxCodePoints).map(PacketArbitraries::string);
    }

    /** Non-empty strings without wildcards, '/' included. */
    static Arbitrary<String> topicNames() {
        return codePoints().filter(c -> c != '+' && c != '#').list().ofMinSize(1).ofMaxSize(16)
                .map(PacketArbitraries::string);
    }

    private static String string(List<Integer> codePoints) {
        int[] cps = codePoints.stream().mapToInt(Integer::intValue).toArray();
        return new String(cps, 0, cps.length);
    }

    /** Properties for the packet type in 5.0; none before. */
    static Arbitrary<MqttProperties> props(MqttVersion v, PacketType type) {
        return v.isV5()
                ? properties(p -> p.allowedIn(type), type == PacketType.SUBSCRIBE)
                : Arbitraries.just(MqttProperties.EMPTY);
    }

    /** Any subset of the allowed properties, each with any valid value; the repeatable ones more often. */
    static Arbitrary<MqttProperties> properties(Predicate<PropertyId> allowed, boolean oneSubscriptionIdentifier) {
        List<Arbitrary<Consumer<MqttProperties.Builder>>> parts = Arrays.stream(PropertyId.values())
                .filter(allowed)
                .map(p -> Arbitraries.frequencyOf(Tuple.of(p.repeatable() ? 1 : 2, Arbitraries.just(NOTHING)),
                        Tuple.of(1, setter(p, oneSubscriptionIdentifier))))
                .toList();
        Arbitrary<MqttProperties> some = Combinators.combine(parts).as(setters -> {
            MqttProperties.Builder b = MqttProperties.builder();
            setters.forEach(s -> s.accept(b));
            MqttProperties built = b.build();
            if (built.authenticationData() != null && built.authenticationMethod() == null) {
                b.authenticationMethod("SCRAM-SHA-256"); // data without a method is a protocol error
            }
            return b.build();
        });
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(MqttProperties.EMPTY)), Tuple.of(4, some));
    }

    private static Arbitrary<Consumer<MqttProperties.Builder>> setter(PropertyId p, boolean oneSubscriptionIdentifier) {
        Arbitrary<Integer> flag = Arbitraries.integers().between(0, 1);
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Integer> u16NonZero = Arbitraries.integers().between(1, 0xFFFF);
        Arbitrary<String> text = strings(12);
        return switch (p) {
            case PAYLOAD_FORMAT_INDICATOR -> flag.map(x -> b -> b.payloadFormatIndicator(x));
            case MESSAGE_EXPIRY_INTERVAL -> u32.map(x -> b -> b.messageExpiryInterval(x));
            case CONTENT_TYPE -> text.map(x -> b -> b.contentType(x));
            case RESPONSE_TOPIC -> topicNames().map(x -> b -> b.responseTopic(x));
            case CORRELATION_DATA -> binary(16).map(x -> b -> b.correlationData(x));
            case SUBSCRIPTION_IDENTIFIER -> Arbitraries.integers().between(1, MqttPacketDecoder.MAX_REMAINING_LENGTH)
                    .list().ofMinSize(1).ofMaxSize(oneSubscriptionIdentifier ? 1 : 4)
                    .map(ids -> b -> ids.forEach(b::addSubscriptionIdentifier));
            case SESSION_EXPIRY_INTERVAL -> u32.map(x -> b -> b.sessionExpiryInterval(x));
            case ASSIGNED_CLIENT_IDENTIFIER -> text.map(x -> b -> b.assignedClientIdentifier(x));
            case SERVER_KEEP_ALIVE -> u16.map(x -> b -> b.serverKeepAlive(x));
            case AUTHENTICATION_METHOD -> text.map(x -> b -> b.authenticationMethod(x));
            case AUTHENTICATION_DATA -> binary(16).map(x -> b -> b.authenticationData(x));
            case REQUEST_PROBLEM_INFORMATION -> flag.map(x -> b -> b.requestProblemInformation(x));
            case WILL_DELAY_INTERVAL -> u32.map(x -> b -> b.willDelayInterval(x));
            case REQUEST_RESPONSE_INFORMATION -> flag.map(x -> b -> b.requestResponseInformation(x));
            case RESPONSE_INFORMATION -> text.map(x -> b -> b.responseInformation(x));
            case SERVER_REFERENCE -> text.map(x -> b -> b.serverReference(x));
            case REASON_STRING -> text.map(x -> b -> b.reasonString(x));
            case RECEIVE_MAXIMUM -> u16NonZero.map(x -> b -> b.receiveMaximum(x));
            case TOPIC_ALIAS_MAXIMUM -> u16.map(x -> b -> b.topicAliasMaximum(x));
            case TOPIC_ALIAS -> u16NonZero.map(x -> b -> b.topicAlias(x));
            case MAXIMUM_QOS -> flag.map(x -> b -> b.maximumQos(x));
            case RETAIN_AVAILABLE -> flag.map(x -> b -> b.retainAvailable(x));
            case USER_PROPERTY -> Combinators.combine(strings(8), strings(8)).as(UserProperty::new)
                    .list().ofMinSize(1).ofMaxSize(5)
                    .map(list -> b -> list.forEach(b::addUserProperty));
            case MAXIMUM_PACKET_SIZE -> Arbitraries.longs().between(1, 0xFFFF_FFFFL).map(x -> b -> b.maximumPacketSize(x));
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> flag.map(x -> b -> b.wildcardSubscriptionAvailable(x));
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> flag.map(x -> b -> b.subscriptionIdentifierAvailable(x));
            case SHARED_SUBSCRIPTION_AVAILABLE -> flag.map(x -> b -> b.sharedSubscriptionAvailable(x));
        };
    }
}
