package dev.tern.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Message;
import dev.tern.broker.sys.BrokerMetrics;
import dev.tern.codec.MqttProperties;
import dev.tern.codec.QoS;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-flight window against a {@link LinkedHashMap} as the model of what it must do. */
class InflightWindowTest {
    private final BrokerMetrics metrics = new BrokerMetrics();

    private static Delivery delivery(QoS qos) {
        Message m = new Message("t", Unpooled.buffer(1).writeByte(1), qos, false, MqttProperties.EMPTY, "p");
        return new Delivery(m, qos, false, List.of());
    }

    @Test
    void randomAddsAndRemovesBehaveLikeAnInsertionOrderedMap() {
        Random random = new Random(20261202);
        for (int capacity : new int[] {1, 3, 20, 256, 65_535}) {
            InflightWindow w = new InflightWindow(capacity, metrics);
            Map<Integer, InflightWindow.Entry> model = new LinkedHashMap<>();
            for (int step = 0; step < 50_000; step++) {
                boolean add = !w.isFull() && (model.isEmpty() || random.nextInt(100) < 55);
                if (add) {
                    InflightWindow.Entry e = w.add(delivery(random.nextBoolean() ? QoS.AT_LEAST_ONCE : QoS.EXACTLY_ONCE));
                    assertThat(e.packetId).isBetween(1, 65_535);
                    assertThat(model).doesNotContainKey(e.packetId); // never an id in use
                    model.put(e.packetId, e);
                } else {
                    // Mostly the oldest (acknowledgements come in order), sometimes any, sometimes unknown.
                    int r = random.nextInt(10);
                    int id;
                    if (r < 6) {
                        id = model.keySet().iterator().next();
                    } else if (r < 9) {
                        List<Integer> ids = new ArrayList<>(model.keySet());
                        id = ids.get(random.nextInt(ids.size()));
                    } else {
                        id = 1 + random.nextInt(65_535);
                    }
                    InflightWindow.Entry expected = model.remove(id);
                    InflightWindow.Entry removed = w.remove(id);
                    assertThat(removed).isSameAs(expected);
                    if (removed != null) {
                        w.releaseDelivery(removed);
                    }
                }
                if (step % 997 == 0) {
                    assertSame(w, model);
                }
            }
            assertSame(w, model);
            w.clear();
            assertThat(w.size()).isZero();
            assertThat(w.entries()).isEmpty();
        }
    }

    @Test
    void packetIdsWrapAroundAndSkipThoseStillInFlight() {
        InflightWindow w = new InflightWindow(65_535, metrics);
        InflightWindow.Entry first = w.add(delivery(QoS.AT_LEAST_ONCE)); // id 1 stays in flight
        for (int i = 2; i <= 65_535; i++) {
            InflightWindow.Entry e = w.add(delivery(QoS.AT_LEAST_ONCE));
            assertThat(e.packetId).isEqualTo(i);
            w.releaseDelivery(w.remove(i));
        }
        InflightWindow.Entry next = w.add(delivery(QoS.AT_LEAST_ONCE));
        assertThat(next.packetId).isEqualTo(2); // 1 is still taken
        assertThat(w.get(1)).isSameAs(first);
        assertThat(w.entries()).containsExactly(first, next);
        w.clear();
    }

    private static void assertSame(InflightWindow w, Map<Integer, InflightWindow.Entry> model) {
        assertThat(w.size()).isEqualTo(model.size());
        assertThat(w.entries()).containsExactlyElementsOf(model.values());
        for (Map.Entry<Integer, InflightWindow.Entry> e : model.entrySet()) {
            assertThat(w.get(e.getKey())).isSameAs(e.getValue());
        }
        assertThat(w.get(0)).isNull();
    }
}
