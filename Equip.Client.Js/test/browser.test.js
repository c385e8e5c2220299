import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { propertyItemId } from '../src/index.js';
import { launchChromium, serveFiles } from './support/browser.js';
import { adminKey, startServer, until } from './support/server.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The package bundled for browsers, and a kiosk page using it, served from an origin of their own. */
async function serveKiosk() {
  const bundle = await build({ entryPoints: [join(here, '..', 'src', 'index.js')], bundle: true, format: 'esm', platform: 'browser', write: false });
  return serveFiles({ '/equip-client.js': [bundle.outputFiles[0].text, 'text/javascript'], '/kiosk.html': [readFileSync(join(here, 'browser', 'kiosk.html'), 'utf8'), 'text/html'] });
}

test('a kiosk browser page becomes an Equip device: a Display set through REST shows on the page', async () => {
  const server = await startServer();
  const kiosk = await serveKiosk();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The key in the fragment: a browser sends it to no server (the page's own included).
    await page.goto(`${kiosk.address}/kiosk.html?server=${encodeURIComponent(server.address)}&container=kiosk-1#key=${encodeURIComponent(adminKey)}`);
    await page.locator('#state', { hasText: 'connected' }).waitFor({ timeout: 20_000 });
    const display = await server.rest('POST', '/api/component-requests', { capability: 'Display', containerId: 'kiosk-1' });
    await until(async () => (await server.rest('GET', `/api/component-requests/${display.id}`)).status === 'running', 'the display runs in the page');

    // Running means the component's item is there; its property items follow it.
    await until(async () => (await server.fetch(`/api/items/${propertyItemId(display.id, 'text')}`)).ok, 'the display publishes its properties');
    await server.rest('PUT', `/api/components/${display.id}/properties/text`, { value: 'hello from REST' });
    await page.locator('#text', { hasText: 'hello from REST' }).waitFor({ timeout: 20_000 });
    await until(async () => (await server.rest('GET', `/api/components/${display.id}`)).properties.find((p) => p.name === 'updates').value === 1,
      'the page publishes its own value');

    const containers = await server.rest('GET', '/api/containers');
    assert.deepEqual(containers.find((c) => c.containerId === 'kiosk-1').capabilities, ['Display']);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await kiosk.close();
    await server.stop();
  }
});
