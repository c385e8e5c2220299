import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adminKey, startServer, until } from './support/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const simulatorDll = join(here, '..', '..', 'Equip.Device', 'bin', process.env.CONFIGURATION ?? 'Release', 'net10.0', 'Equip.Device.dll');

function run(command, args, environment = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...globalThis.process.env, ...environment } });
  const process = { child, output: '' };
  child.stdout.on('data', (d) => { process.output += d; });
  child.stderr.on('data', (d) => { process.output += d; });
  return process;
}

/** The README's five-minute walk-through, with a .NET simulator and the JavaScript example device. */
test('the README walk-through: a .NET simulator\'s slider linked to the JavaScript example display', async () => {
  const server = await startServer();
  const simulator = run('dotnet', [simulatorDll, '--server', server.address, '--container', 'sim-1', '--key', adminKey]);
  const display = run(process.execPath, [join(here, '..', 'examples', 'display.js'), '--server', server.address, '--container', 'js-1'], { EQUIP_KEY: adminKey });
  try {
    await until(async () => (await server.rest('GET', '/api/containers')).length === 2, 'both devices publish their containers', 30_000);
    const slider = await server.rest('POST', '/api/component-requests', { capability: 'Slider', containerId: 'sim-1' });
    const shown = await server.rest('POST', '/api/component-requests', { capability: 'Display', containerId: 'js-1' });
    await server.rest('POST', '/api/links', {
      source: { componentRequestId: slider.id, property: 'value' },
      destination: { componentRequestId: shown.id, property: 'text' },
    });
    await until(async () => {
      try {
        await server.rest('PUT', `/api/components/${slider.id}/properties/value`, { value: 0.75 });
        return true;
      } catch {
        return false; // the slider is not running yet
      }
    }, 'the slider takes a value', 30_000);

    await until(() => display.output.includes(`Display ${shown.id} text: 0.75`), 'the JavaScript display shows the slider\'s value', 30_000);
    const component = await server.rest('GET', `/api/components/${shown.id}`);
    assert.equal(component.properties.find((p) => p.name === 'text').value, '0.75');
    // The display counts the text it was given and publishes the count after printing the text:
    // the count reaches the server a moment later.
    await until(async () => {
      const now = await server.rest('GET', `/api/components/${shown.id}`);
      return now.properties.find((p) => p.name === 'updates').value >= 1;
    }, 'the display publishes how many texts it was given', 10_000);
  } finally {
    simulator.child.kill('SIGKILL');
    display.child.kill('SIGKILL');
    await server.stop();
  }
});
