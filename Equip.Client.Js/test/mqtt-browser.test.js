import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveFiles } from './support/browser.js';
import { adminKey, startServer, until } from './support/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** MQTT.js's browser bundle and a page using it, served from an origin of their own. */
function servePage() {
  return serveFiles({
    '/mqtt.min.js': [readFileSync(join(dirname(require.resolve('mqtt/package.json')), 'dist', 'mqtt.min.js'), 'utf8'), 'text/javascript'],
    '/mqtt-device.html': [readFileSync(join(here, 'browser', 'mqtt-device.html'), 'utf8'), 'text/html'],
  });
}

const topicValue = async (server, topic) =>
  (await server.rest('GET', '/api/components')).find((c) => c.id === `mqtt/${topic}`)?.properties.find((p) => p.name === 'value')?.value; // the component shows before its property

test('a browser page is an MQTT device over WebSockets (MQTT.js): its topic linked back to it, and set through REST', async () => {
  const server = await startServer();
  const page = await servePage();
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    const broker = server.address.replace('http://', 'ws://') + '/mqtt';
    await tab.goto(`${page.address}/mqtt-device.html?broker=${encodeURIComponent(broker)}&id=phone-1#key=${encodeURIComponent(adminKey)}`);
    await tab.locator('#state', { hasText: 'connected' }).waitFor({ timeout: 20_000 });
    const containers = await server.rest('GET', '/api/containers');
    assert.equal(containers.find((c) => c.containerId === 'phone-1')?.labels.protocol, 'mqtt');

    await tab.click('#tilt');
    await until(async () => (await topicValue(server, 'phone-1/tilt'))?.angle === 10, 'the tilt reaches the dataspace');

    // Wired from the dataspace: the page's tilt topic linked into its lamp topic, which the page
    // subscribes to (the link makes the lamp's component: nothing was published on it yet).
    await server.rest('POST', '/api/links', {
      source: { containerId: 'mqtt', component: 'phone-1/tilt', property: 'value' },
      destination: { containerId: 'mqtt', component: 'phone-1/lamp', property: 'value' },
    });
    await until(async () => (await topicValue(server, 'phone-1/lamp')) !== undefined, 'the lamp topic made by the link');
    await tab.click('#tilt');
    await tab.locator('#lamp', { hasText: '{"angle":20}' }).waitFor({ timeout: 20_000 });

    await server.rest('PUT', `/api/components/${encodeURIComponent('mqtt/phone-1/lamp')}/properties/value`, { value: 'off' });
    await tab.locator('#lamp', { hasText: /^off$/ }).waitFor({ timeout: 20_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await page.close();
    await server.stop();
  }
});
