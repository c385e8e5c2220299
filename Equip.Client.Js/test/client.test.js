import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EquipClient, HubErrors } from '../src/index.js';
import { FaultProxy } from './support/fault-proxy.js';
import { adminKey, quick, startServer, until } from './support/server.js';


for (const messagePack of [false, true]) {
  describe(`EquipClient against the real server (${messagePack ? 'MessagePack' : 'JSON'})`, () => {
    let server;
    const clients = [];
    const device = (peerId, address = server.address) => {
      const client = new EquipClient({ server: address, peerId, key: adminKey, messagePack, ...quick }).start();
      clients.push(client);
      return client;
    };

    before(async () => { server = await startServer(); });
    after(async () => {
      await Promise.all(clients.map((c) => c.stop()));
      await server.stop();
    });

    test('changes made before the server is reachable are sent in order once it is', async () => {
      const proxy = await FaultProxy.start(null);
      try {
        const lamp = device('lamp-queued', proxy.address);
        const writes = [lamp.add({ type: 'demo.Thing', fields: { name: 'first' } }), lamp.add({ type: 'demo.Thing', fields: { name: 'second' } }),
          lamp.add({ type: 'demo.Thing', fields: { name: 'third' }, processBound: true })];
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(lamp.pendingChanges, 3);
        proxy.targetPort = server.port;
        const added = await Promise.all(writes);

        assert.deepEqual(added.map((i) => i.fields.name), ['first', 'second', 'third']);
        assert.ok(added[0].revision < added[1].revision && added[1].revision < added[2].revision);
        assert.equal(added[2].responsible, 'lamp-queued');
        assert.match(added[0].createdAt, /^\d{4}-\d\d-\d\dT/); // times read alike in both protocols
      } finally {
        await proxy.stop();
      }
    });

    test('with several addresses (the nodes of a cluster) it moves on from one where nothing listens to the next', async () => {
      const nothing = await FaultProxy.start(null); // accepts, then drops: no server there
      try {
        const lamp = device('lamp-several', [nothing.address, server.address]);
        const added = await lamp.add({ type: 'demo.Several', fields: { name: 'through the second' } });
        assert.equal(added.responsible, 'lamp-several');
        await lamp.waitUntilConnected();
      } finally {
        await nothing.stop();
      }
    });

    test('a reset within the grace period deletes nothing and the replica catches up on what it missed', async () => {
      const proxy = await FaultProxy.start(server.port);
      try {
        const lamp = device('lamp-reset', proxy.address);
        const other = device('other-reset');
        const bound = await lamp.add({ type: 'demo.Reset', fields: { name: 'bound' }, processBound: true });
        const replica = lamp.subscribe({ type: 'demo.Reset' });
        await replica.waitUntil((r) => r.get(bound.id));
        await lamp.waitUntilConnected();

        proxy.targetPort = null;
        proxy.reset();
        const missed = await other.add({ type: 'demo.Reset', fields: { name: 'while away' } });
        proxy.targetPort = server.port;

        await replica.waitUntil((r) => r.get(missed.id));
        assert.ok(replica.get(bound.id), 'the process-bound item survived the short cut');
        const states = await server.rest('GET', '/api/peers');
        assert.equal(states.find((p) => p.peerId === 'lamp-reset').state, 'connected');
      } finally {
        await proxy.stop();
      }
    });

    test('a restarted device keeps its persistent items and loses only its process-bound ones (F1)', async () => {
      const before = device('lamp-restart');
      const persistent = await before.add({ type: 'demo.Restart', fields: { name: 'persistent' } });
      const bound = await before.add({ type: 'demo.Restart', fields: { name: 'bound' }, processBound: true });
      await before.stop();

      const afterRestart = device('lamp-restart');
      await afterRestart.waitUntilConnected();
      await afterRestart.add({ type: 'demo.Restart', fields: { name: 'new' } });

      assert.equal((await afterRestart.get(persistent.id))?.fields.name, 'persistent');
      assert.equal(await afterRestart.get(bound.id), null);
      const events = await server.rest('GET', `/api/events?after=${persistent.revision}`);
      assert.ok(!events.events.some((e) => e.item.id === persistent.id && e.kind === 'deleted'));
    });

    test('a refused write fails with its code and the next write goes on', async () => {
      const lamp = device('lamp-refused');
      await assert.rejects(lamp.update({ id: globalThis.crypto.randomUUID(), fields: { a: 1 } }), (e) => e.code === HubErrors.notFound);
      await assert.rejects(lamp.add({ type: 'bad type', fields: {} }), (e) => e.code === HubErrors.invalid);
      const next = await lamp.add({ type: 'demo.Refused', fields: { ok: true } });
      assert.equal(next.fields.ok, true);
    });

    test('a client whose peer id a newer process takes stops instead of fighting it', async () => {
      const old = device('lamp-fenced');
      await old.waitUntilConnected();
      const fenced = new Promise((resolve) => old.onStateChanged((c) => c.state === 'fenced' && resolve(c)));
      const newer = device('lamp-fenced');
      await newer.waitUntilConnected();

      const change = await fenced;
      assert.equal(old.state, 'fenced');
      assert.equal(change.error.name, 'EquipStoppedError');
      await assert.rejects(old.add({ type: 'demo.Fenced', fields: {} }));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(newer.state, 'connected');
    });
  });
}

test('a queued unreliable update of an item gives way to a newer one, and every caller is answered', async () => {
  const server = await startServer();
  const proxy = await FaultProxy.start(server.port);
  const lamp = new EquipClient({ server: proxy.address, peerId: 'lamp-squash', key: adminKey, ...quick, valuesQueuedPerItem: 1 }).start();
  try {
    const item = await lamp.add({ type: 'demo.Level', fields: { value: 0 } });
    proxy.targetPort = null;
    proxy.reset();
    await until(() => lamp.state === 'connecting', 'the client notices the cut');
    const updates = [];
    for (let value = 1; value <= 50; value++) {
      updates.push(lamp.update({ id: item.id, fields: { value }, unreliable: true }));
    }
    assert.ok(lamp.pendingChanges <= 2);
    proxy.targetPort = server.port;
    const answers = await Promise.all(updates);

    assert.ok(answers.every((a) => a.fields.value >= 1));
    assert.equal(answers.at(-1).fields.value, 50);
    const log = await server.rest('GET', `/api/events?after=${item.revision}`);
    assert.ok(log.events.filter((e) => e.item.id === item.id).length <= 2);
  } finally {
    await lamp.stop();
    await proxy.stop();
    await server.stop();
  }
});
