import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const configuration = process.env.CONFIGURATION ?? 'Release';
const serverDll = join(root, 'Equip.Web', 'bin', configuration, 'net10.0', 'Equip.Web.dll');

/** The admin key the servers the tests start are configured with (Equip.Testing.TestKeys.Admin). */
export const adminKey = 'eqa_test-admin-key-not-for-production';

/** Client timings to go with the server's quick ones. */
export const quick = { initialReconnectDelayMs: 50, maxReconnectDelayMs: 500, keepAliveMs: 500, serverTimeoutMs: 2000 };

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The Equip server as its own process (the Release build of Equip.Web, as scripts/test.sh makes
 * it) on a fresh SQLite store, on a free loopback port, with quick timings for tests and the
 * admin key `adminKey`; its MQTT broker on another free loopback port.
 */
export async function startServer(settings = {}) {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} is missing: build the solution first (dotnet build -c ${configuration}).`);
  }
  const port = await freePort();
  const mqttPort = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'equip-js-'));
  const environment = {
    ...process.env,
    DOTNET_ENVIRONMENT: 'Production',
    Equip__DataDirectory: directory,
    Equip__Auth__AdminKey: adminKey,
    Equip__Peers__DisconnectGrace: '00:00:05',
    Equip__Peers__KeepAliveInterval: '00:00:00.500',
    Equip__Peers__ClientTimeout: '00:00:02',
    Equip__Mqtt__Port: String(mqttPort),
    Logging__LogLevel__Default: 'Warning',
  };
  for (const [key, value] of Object.entries(settings)) {
    environment[key.replaceAll(':', '__')] = value;
  }
  const child = spawn('dotnet', [serverDll, '--urls', `http://127.0.0.1:${port}`], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const address = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`The server exited with ${child.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`${address}/health`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    port,
    /** The MQTT broker's TCP port (loopback); MQTT over WebSockets is at `${address}/mqtt`. */
    mqttPort,
    get output() { return output; },
    /** fetch() on the server with the admin key (or the given one; null: none). */
    fetch(path, { key = adminKey, ...init } = {}) {
      const headers = new Headers(init.headers);
      if (key != null) {
        headers.set('authorization', `Bearer ${key}`);
      }
      return fetch(`${address}${path}`, { ...init, headers });
    },
    /**
     * Calls the REST API with the admin key (or the given one; null: none); resolves with the
     * parsed body (or null), rejects on an error status.
     */
    async rest(method, path, body, { key = adminKey } = {}) {
      const response = await this.fetch(path, body === undefined ? { method, key }
        : { method, key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await response.text();
      if (!response.ok) {
        const error = new Error(`${method} ${path}: ${response.status} ${text}`);
        error.status = response.status;
        throw error;
      }
      return text ? JSON.parse(text) : null;
    },
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode ? r() : child.once('exit', r)));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Polls until the condition holds, or fails after the deadline. */
export async function until(condition, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting until ${what}.`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
