#!/usr/bin/python3
"""Interop check with Eclipse Paho Python (Debian's python3-paho-mqtt, 1.6.x; 2.x also works).

Usage: paho_roundtrip.py HOST PORT {3.1.1|3.1}

Connects, subscribes at QoS 2, publishes one message at each QoS 0, 1 and 2 to itself and checks
that each comes back with its payload and QoS. Prints one line per step and "OK" at the end;
exits 1 with the reason on the first failure.
"""
import sys
import threading

import paho.mqtt
import paho.mqtt.client as mqtt

TIMEOUT = 5.0


def fail(why):
    print("FAIL " + why, flush=True)
    sys.exit(1)


def main():
    host, port, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    protocol = {"3.1.1": mqtt.MQTTv311, "3.1": mqtt.MQTTv31}[version]
    topic = "interop/python/" + version
    client_id = "paho-python-" + version.replace(".", "")

    if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt 2.x
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=client_id, clean_session=True,
                             protocol=protocol)
    else:
        client = mqtt.Client(client_id=client_id, clean_session=True, protocol=protocol)

    connected = threading.Event()
    subscribed = threading.Event()
    results = {}
    messages = []
    arrived = threading.Condition()

    def on_connect(c, userdata, flags, rc):
        results["connack"] = rc
        connected.set()

    def on_subscribe(c, userdata, mid, granted_qos):
        results["granted"] = list(granted_qos)
        subscribed.set()

    def on_message(c, userdata, msg):
        with arrived:
            messages.append((msg.topic, msg.payload.decode("utf-8"), msg.qos, msg.retain))
            arrived.notify_all()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message

    print("paho-mqtt " + paho.mqtt.__version__ + " MQTT " + version, flush=True)
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        if not connected.wait(TIMEOUT):
            fail("no CONNACK")
        if results["connack"] != 0:
            fail("CONNACK return code %d" % results["connack"])
        print("connected", flush=True)

        client.subscribe(topic, qos=2)
        if not subscribed.wait(TIMEOUT):
            fail("no SUBACK")
        if results["granted"] != [2]:
            fail("granted QoS %s" % results["granted"])
        print("subscribed qos 2", flush=True)

        for qos in (0, 1, 2):
            payload = "hello at qos %d" % qos
            info = client.publish(topic, payload, qos=qos)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                fail("publish qos %d: rc %d" % (qos, info.rc))
            info.wait_for_publish(TIMEOUT)  # QoS 1/2: until the broker's PUBACK/PUBCOMP
            if not info.is_published():
                fail("publish qos %d not acknowledged" % qos)
            with arrived:
                if not arrived.wait_for(lambda: len(messages) > qos, TIMEOUT):
                    fail("message at qos %d not received" % qos)
                got = messages[qos]
            if got != (topic, payload, qos, False):
                fail("qos %d: received %r" % (qos, got))
            print("received qos %d %s" % (qos, payload), flush=True)

        client.disconnect()
    finally:
        client.loop_stop()
    print("OK", flush=True)


if __name__ == "__main__":
    main()
