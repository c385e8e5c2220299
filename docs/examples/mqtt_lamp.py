#!/usr/bin/env python3
"""An Equip container over MQTT, as firmware of your own would be (docs/mqtt.md, Firmware of your
own): it runs "Lamp" components for the component requests the server assigns it.

    python3 mqtt_lamp.py --key "$EQUIP_KEY" [--host localhost] [--port 1883] [--id lamp-1]

Needs paho-mqtt (1.6 or 2.x; Debian: python3-paho-mqtt). Stops on Ctrl-C or SIGTERM.
"""
import argparse
import json
import signal

import paho.mqtt.client as mqtt

CAPABILITY = {"properties": [
    {"name": "on", "type": "boolean", "readOnly": False, "default": False},
    {"name": "watts", "type": "number", "readOnly": True, "default": 0},
]}

args = argparse.ArgumentParser()
args.add_argument("--host", default="localhost")
args.add_argument("--port", type=int, default=1883)
args.add_argument("--id", default="lamp-1")
args.add_argument("--key", required=True)
options = args.parse_args()
base = f"equip/{options.id}"
running = {}  # component level -> {"on": bool}


def publish_state(component, lamp):
    client.publish(f"{base}/{component}/on", json.dumps(lamp["on"]), qos=1)
    client.publish(f"{base}/{component}/watts", json.dumps(9.5 if lamp["on"] else 0), qos=1)


def on_connect(client, userdata, flags, rc, *rest):
    if rc != 0:
        raise SystemExit(f"refused: {rc}")
    # A new session (always, with a clean session): subscribe and declare what it can run.
    client.subscribe([(f"{base}/$requests/+", 1), (f"{base}/+/+/set", 1)])
    client.publish(f"{base}/$capabilities/Lamp", json.dumps(CAPABILITY), qos=1, retain=True)


def on_message(client, userdata, message):
    levels = message.topic.split("/")
    if levels[2] == "$requests":
        request = json.loads(message.payload) if message.payload else None
        component = request["component"] if request else levels[3]
        if request and component not in running:  # launch
            running[component] = {"on": bool(request["values"].get("on", False))}
            client.publish(f"{base}/{component}/$component", json.dumps({"capability": request["capability"]}), qos=1)
            publish_state(component, running[component])
        elif not request and running.pop(component, None) is not None:  # stop
            client.publish(f"{base}/{component}/$component", b"", qos=1)
    elif levels[-1] == "set" and levels[2] in running and levels[3] == "on":
        value = json.loads(message.payload)
        if isinstance(value, bool):
            running[levels[2]]["on"] = value
        publish_state(levels[2], running[levels[2]])  # the value applied, or its own again


try:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=options.id)  # paho 2.x
except AttributeError:
    client = mqtt.Client(client_id=options.id)  # paho 1.x
client.username_pw_set("lamp", options.key)
client.on_connect = on_connect
client.on_message = on_message
signal.signal(signal.SIGTERM, lambda *_: client.disconnect())
client.connect(options.host, options.port, keepalive=30)
print("connected", flush=True)
try:
    client.loop_forever()
except KeyboardInterrupt:
    client.disconnect()
