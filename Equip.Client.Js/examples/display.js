#!/usr/bin/env node
// A JavaScript device: a container that can run Display components (a text someone sets, and how
// many times it was set) and prints what they show. The five-minute walk-through in the
// repository's README links a .NET simulator's Slider to it.
//
//   EQUIP_KEY=KEY node examples/display.js --server http://localhost:5000 --container js-1
//
// KEY is a device key (POST /api/keys) or the admin key the server printed at its first start;
// --key KEY works too, but a key in the command line shows in the process list.
import { ComponentContainer, EquipClient } from '../src/index.js';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
};
const server = argument('server', 'http://localhost:5000');
const containerId = argument('container', 'js-1');
const key = argument('key', process.env.EQUIP_KEY);
if (!key) {
  console.error('No key: set EQUIP_KEY (or pass --key) to a device key or the admin key.');
  process.exit(2);
}

const client = new EquipClient({ server, peerId: containerId, key, name: `${containerId} (JavaScript)` });
client.onStateChanged(({ state, error }) => {
  console.log(`connection ${state}${error ? `: ${error.message}` : ''}`);
  if (state === 'unauthorized') {
    process.exit(1); // a refused key does not become valid by waiting
  }
});
const container = new ComponentContainer(client, { labels: { language: 'javascript' } });
container.export('Display', {
  properties: [
    { name: 'text', type: 'string', default: '' },
    { name: 'updates', type: 'integer', readOnly: true, default: 0 },
  ],
  launch(display) {
    console.log(`launched Display ${display.componentId}`);
    display.property('text').onChanged((text) => {
      display.property('updates').value += 1;
      console.log(`Display ${display.componentId} text: ${text}`);
    });
    return { stop: () => console.log(`stopped Display ${display.componentId}`) };
  },
});

client.start();
container.start();
console.log(`container ${containerId} on ${server}, exporting Display`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    console.log('stopping');
    await container.stop().catch(() => {});
    await client.stop();
    process.exit(0);
  });
}
