package dev.tern.broker.session;

import dev.tern.broker.routing.Delivery;
import dev.tern.broker.routing.Router;
import dev.tern.broker.routing.Subscriber;
import java.util.ArrayList;
import java.util.List;

/**
 * What a member of a shared subscription gives up when it loses its connection (MQTT 5.0 section
 * 4.8.2): the shared messages it has not started sending, and its unacknowledged QoS 1 ones, go to
 * another connected member of the group. QoS 2 messages already sent stay: they must be completed by
 * this client (MQTT-4.8.2-4), and are lost with its session (MQTT-4.8.2-5). Owner loop only.
 */
final class SharedHandOver {
    private SharedHandOver() {}

    static void handOver(OutboundQueue queue, InflightWindow inflight, Router router, Subscriber from) {
        queue.removeIf(d -> {
            if (d.sharedFilter() != null && router.redeliverShared(d, from)) {
                d.release();
                return true;
            }
            return false;
        });
        List<Integer> moved = null;
        for (InflightWindow.Entry e : inflight.entries()) {
            Delivery d = e.delivery;
            if (e.state == InflightWindow.State.AWAITING_PUBACK && d != null && d.sharedFilter() != null
                    && router.redeliverShared(d, from)) {
                if (moved == null) {
                    moved = new ArrayList<>();
                }
                moved.add(e.packetId);
            }
        }
        if (moved != null) {
            for (int id : moved) {
                InflightWindow.Entry e = inflight.remove(id);
                if (e != null) {
                    inflight.releaseDelivery(e);
                }
            }
        }
    }
}
