import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EquipClient, EquipUnauthorizedError, HubErrors } from '../src/index.js';
import { quick, startServer } from './support/server.js';

/** Resolves with the change once the client is in the state; fails after the deadline. */
function reaches(client, state, timeoutMs = 10_000) {
  if (client.state === state) {
    return Promise.resolve({ state, error: client.ended });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`Not ${state} within ${timeoutMs} ms (${client.state}).`)); }, timeoutMs);
    const off = client.onStateChanged((change) => {
      if (change.state === state) {
        clearTimeout(timer); off(); resolve(change);
      }
    });
  });
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

describe('EquipClient and the server\'s keys', () => {
  let server;
  const clients = [];
  const device = (options) => {
    const client = new EquipClient({ server: server.address, ...quick, ...options }).start();
    clients.push(client);
    return client;
  };
  /** How many times the server refused a negotiate for this reason (its warnings, as the log says it). */
  const refusedNegotiates = (reason) => server.output.split(`Refused POST /hubs/dataspace/negotiate: ${reason}`).length - 1;
  /** The count once the server's log, written asynchronously, shows at least one refusal. */
  async function firstRefusals(reason, timeoutMs = 5000) {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await pause(50)) {
      if (refusedNegotiates(reason) >= 1) {
        await pause(200); // lets a line already on its way arrive
        return refusedNegotiates(reason);
      }
    }
    return refusedNegotiates(reason);
  }

  before(async () => { server = await startServer(); });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  });

  for (const [what, key, detail, logged] of [
    ['no key', undefined, /Send a key/, 'no key'],
    ['a wrong key', 'eqd_not-a-key-this-server-made', /unknown or revoked/, 'The key is unknown or revoked.'],
  ]) {
    test(`a client with ${what} ends unauthorized, fails its queued writes and stops trying`, async () => {
      const client = new EquipClient({ server: server.address, peerId: `lamp-${key ? 'wrong' : 'none'}`, key, ...quick });
      clients.push(client);
      const queued = client.add({ type: 'demo.Unauthorized', fields: {} });
      client.start();

      const change = await reaches(client, 'unauthorized');
      assert.ok(change.error instanceof EquipUnauthorizedError);
      assert.equal(change.error.status, 401);
      assert.match(change.error.message, detail);
      await assert.rejects(queued, EquipUnauthorizedError);
      await assert.rejects(client.add({ type: 'demo.Unauthorized', fields: {} }), EquipUnauthorizedError);
      await assert.rejects(client.waitUntilConnected(1000), EquipUnauthorizedError);

      const refused = await firstRefusals(logged);
      assert.ok(refused >= 1, 'the server logs the refusal');
      await pause(1500); // several backoff periods of the quick timings
      assert.equal(refusedNegotiates(logged), refused, 'no further connect attempt');
      assert.equal(client.state, 'unauthorized');
    });
  }

  test('a device key made over REST connects and writes as its peer; a function may give the key', async () => {
    const made = await server.rest('POST', '/api/keys', { name: 'js lamp' });
    assert.match(made.key, /^eqd_/);
    let asked = 0;
    const client = device({ peerId: 'lamp-keyed', key: async () => { asked += 1; return made.key; } });
    await client.waitUntilConnected(10_000);

    const item = await client.add({ type: 'demo.Keyed', fields: { on: true } });
    assert.equal(item.responsible, 'lamp-keyed');
    assert.ok(asked >= 1);
    const peers = await server.rest('GET', '/api/peers', undefined, { key: made.key }); // a device key may read REST
    assert.equal(peers.find((p) => p.peerId === 'lamp-keyed').state, 'connected');
  });

  for (const messagePack of [false, true]) {
    test(`revoking a device key over REST moves its connected client to unauthorized at once (${messagePack ? 'MessagePack' : 'JSON'})`, async () => {
      const made = await server.rest('POST', '/api/keys', { name: 'soon revoked' });
      const client = device({ peerId: `lamp-revoked-${messagePack}`, key: made.key, messagePack });
      await client.waitUntilConnected(10_000);
      const ended = reaches(client, 'unauthorized', 3000);

      await server.rest('DELETE', `/api/keys/${made.id}`);
      const change = await ended;
      assert.ok(change.error instanceof EquipUnauthorizedError);
      assert.equal(change.error.code, HubErrors.keyRevoked, 'from the server\'s Close, not from a refused reconnect');
      await assert.rejects(client.add({ type: 'demo.Revoked', fields: {} }), EquipUnauthorizedError);
    });
  }

  test('a key bound to other peer ids is refused at Register, and the bound peer id is not', async () => {
    const made = await server.rest('POST', '/api/keys', { name: 'hall lamp only', peerIds: ['lamp-hall'] });
    const other = device({ peerId: 'lamp-kitchen', key: made.key });
    const change = await reaches(other, 'unauthorized');
    assert.ok(change.error instanceof EquipUnauthorizedError);
    assert.equal(change.error.code, HubErrors.forbidden);
    assert.match(change.error.message, /may not register peer 'lamp-kitchen'/);

    const bound = device({ peerId: 'lamp-hall', key: made.key });
    await bound.waitUntilConnected(10_000);
    await pause(500);
    assert.equal(other.state, 'unauthorized');
  });
});
