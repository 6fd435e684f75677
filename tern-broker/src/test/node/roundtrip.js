// MQTT.js round trip for WebSocketInteropIT: connects over ws:// or wss://, subscribes, publishes
// retained and QoS 1 messages to itself, and prints what it received. Exits 0 on success.
//   node roundtrip.js URL CLIENT_ID [CA_FILE] [USERNAME PASSWORD]
'use strict';
const fs = require('fs');
const mqtt = require('mqtt');

const [url, clientId, caFile, username, password] = process.argv.slice(2);
const options = { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10000 };
if (caFile && caFile !== '-') {
  options.ca = fs.readFileSync(caFile);
}
if (username) {
  options.username = username;
  options.password = password;
}
const client = mqtt.connect(url, options);
const timer = setTimeout(() => { console.error('timeout'); process.exit(2); }, 15000);
let received = 0;
client.on('connect', () => {
  client.subscribe('js/#', { qos: 1 }, (err, granted) => {
    if (err) { console.error('subscribe failed', err.message); process.exit(3); }
    console.log('granted ' + granted.map((g) => g.qos).join(','));
    client.publish('js/hello', 'from mqtt.js', { qos: 1 });
    client.publish('js/big', Buffer.alloc(100000, 'x'), { qos: 0 });
  });
});
client.on('message', (topic, payload) => {
  console.log('message ' + topic + ' ' + payload.length);
  if (++received === 2) {
    clearTimeout(timer);
    client.end(false, () => process.exit(0));
  }
});
client.on('error', (err) => { console.error('error ' + err.message); process.exit(1); });
