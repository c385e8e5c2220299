import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HubConnection } from '@microsoft/signalr';
import { EquipClient, EquipRefusedError, HubErrors } from '../src/index.js';
import { FaultProxy } from './support/fault-proxy.js';
import { rawPeer } from './support/raw.js';
import { adminKey, quick, startServer, until } from './support/server.js';

const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const nest = (depth) => (depth === 0 ? 1 : [nest(depth - 1)]);

// Every SetValues the clients of this file send, with the connection it went over: what went on the wire.
const frames = [];
const send = HubConnection.prototype.send;
HubConnection.prototype.send = function (target, ...args) {
  if (target === 'SetValues') {
    frames.push({ connection: this, ...args[0] });
  }
  return send.call(this, target, ...args);
};

for (const messagePack of [false, true]) {
  describe(`The value lane against the real server (${messagePack ? 'MessagePack' : 'JSON'})`, () => {
    let server;
    const stops = [];
    const device = (peerId, address = server.address, options = {}) => {
      const client = new EquipClient({ server: address, peerId, key: adminKey, messagePack, ...quick, ...options }).start();
      stops.push(() => client.stop());
      return client;
    };
    const raw = async (peerId) => {
      const peer = await rawPeer(server, peerId, { messagePack });
      stops.push(() => peer.stop());
      return peer;
    };

    before(async () => { server = await startServer(); });
    after(async () => {
      for (const stop of stops) {
        await stop();
      }
      await server.stop();
    });

    test('setValue changes only the value; subscribers receive it as Values entries, or as whole Changes without compactValues', async () => {
      const lamp = device(`lamp-values-${messagePack}`, server.address, { valuesQueuedPerItem: 1 }); // the latest only
      const item = await lamp.add({ id: globalThis.crypto.randomUUID(), type: 'demo.Dimmer', fields: { value: 0, room: 'hall' } });
      const other = device(`display-values-${messagePack}`);
      const replica = other.subscribe({ type: 'demo.Dimmer' });
      const watcher = await raw(`watcher-values-${messagePack}`);
      await watcher.subscribe('compact', { type: 'demo.Dimmer' }, { compactValues: true });
      await watcher.subscribe('whole', { type: 'demo.Dimmer' });
      await replica.waitUntil((r) => r.get(item.id));
      await other.waitUntilConnected();

      const first = await lamp.setValue(item.id, 0.25);
      assert.ok(first > item.revision);
      await replica.waitUntil((r) => r.get(item.id).fields.value === 0.25);
      // Queued before the first was sent, the second takes its place: one value goes, both are answered with its revision.
      const revisions = await Promise.all([lamp.setValue(item.id, 'replaced'), lamp.setValue(item.id, { level: 0.5, ramp: [1, 2] })]);
      assert.ok(revisions[0] === revisions[1] && revisions[1] > first, `revisions ${revisions} after ${first}`);
      await replica.waitUntil((r) => r.get(item.id).revision === revisions[1]);
      assert.deepEqual(replica.get(item.id).fields, { value: { level: 0.5, ramp: [1, 2] }, room: 'hall' });
      assert.equal(replica.revision, revisions[1]);

      const heard = (target, subscriptionId, revisionOf) => watcher.of(target, subscriptionId)
        .some((m) => (m.values ?? m.events).some((x) => Number(revisionOf(x)) === revisions[1]));
      await until(() => heard('Values', 'compact', (v) => v[1]) && heard('Changes', 'whole', (e) => e.revision), 'the watcher hears of the values');
      await pause(100);
      const entries = watcher.of('Values', 'compact').flatMap((m) => m.values);
      assert.ok(!entries.some((e) => e[2] === 'replaced'), 'the replaced value was never sent');
      assert.deepEqual(entries.at(-1).map((v, i) => (i === 1 ? Number(v) : v)), [item.id, revisions[1], { level: 0.5, ramp: [1, 2] }]);
      assert.ok(entries.every((e) => e.length === 3 && e[0] === item.id));
      assert.ok(!watcher.of('Changes', 'compact').some((m) => m.events.some((e) => e.kind === 'updated')), 'no whole event beside the entries');
      const whole = watcher.of('Changes', 'whole').flatMap((m) => m.events);
      assert.equal(whole.at(-1).kind, 'updated');
      assert.deepEqual(whole.at(-1).item.fields, { value: { level: 0.5, ramp: [1, 2] }, room: 'hall' });
      assert.equal(watcher.of('Values', 'whole').length, 0);
      const stored = await server.rest('GET', `/api/items/${item.id}`);
      assert.deepEqual(stored.fields, { value: { level: 0.5, ramp: [1, 2] }, room: 'hall' });
      assert.equal(stored.revision, revisions[1]);
    });

    test('a client is not sent its own values back, and applies them to its replicas itself', async () => {
      const lamp = device(`lamp-own-${messagePack}`);
      const item = await lamp.add({ type: 'demo.Own', fields: { value: 0, room: 'hall' } });
      const replica = lamp.subscribe({ type: 'demo.Own' });
      await replica.waitUntil((r) => r.get(item.id));
      await lamp.waitUntilConnected();
      const subscribed = replica.revision;
      const seen = [];
      replica.onChanged((events) => seen.push(...(events ?? [])));

      const revision = await lamp.setValue(item.id, 7);
      assert.equal(replica.get(item.id).revision, revision, 'applied when acknowledged');
      assert.deepEqual(replica.get(item.id).fields, { value: 7, room: 'hall' });
      assert.deepEqual(seen.map((e) => [e.kind, e.revision, e.item.fields.value]), [['updated', revision, 7]]);
      await pause(300);
      assert.equal(replica.revision, subscribed, 'the subscription received nothing: no echo');
      assert.equal(seen.length, 1);
    });

    test('a subscription whose pattern names a value follows the client\'s own values in and out of it', async () => {
      const lamp = device(`lamp-matching-${messagePack}`);
      const item = await lamp.add({ type: 'demo.Match', fields: { value: 0 } });
      const on = lamp.subscribe({ type: 'demo.Match', fields: { value: 'on' } });
      const all = lamp.subscribe({ type: 'demo.Match' });
      await lamp.waitUntilConnected();
      await all.waitUntil((r) => r.get(item.id));
      assert.equal(on.get(item.id), undefined);

      const revision = await lamp.setValue(item.id, 'on');
      await on.waitUntil((r) => r.get(item.id)?.revision === revision);
      assert.equal(all.get(item.id).revision, revision);
      await lamp.setValue(item.id, 'off');
      await on.waitUntil((r) => !r.get(item.id));
      assert.equal(all.get(item.id).fields.value, 'off');
    });

    test('a refused value rejects with its code, and the values beside it are applied', async () => {
      const lamp = device(`lamp-refused-values-${messagePack}`);
      const mine = await lamp.add({ type: 'demo.Refusals', fields: { value: 0 } });
      const spoilt = await lamp.add({ type: 'demo.Refusals', fields: { value: 0 } });
      const theirs = await device(`other-refused-values-${messagePack}`).add({ type: 'demo.Refusals', fields: { value: 0 } });

      const [missing, notMine, bad, applied] = await Promise.allSettled([
        lamp.setValue(globalThis.crypto.randomUUID(), 1), lamp.setValue(theirs.id, 2), lamp.setValue(spoilt.id, 'bad\u0000value'), lamp.setValue(mine.id, 3)]);
      assert.ok(missing.reason instanceof EquipRefusedError);
      assert.equal(missing.reason.code, HubErrors.notFound);
      assert.equal(notMine.reason.code, HubErrors.notResponsible);
      assert.equal(bad.reason.code, HubErrors.invalid);
      assert.ok(applied.value > mine.revision);
      assert.equal((await server.rest('GET', `/api/items/${mine.id}`)).fields.value, 3);
      assert.equal((await server.rest('GET', `/api/items/${theirs.id}`)).fields.value, 0);
      assert.equal((await server.rest('GET', `/api/items/${spoilt.id}`)).fields.value, 0);
      // What the server could not read at all (it would drop the whole call) is refused before it goes.
      for (const [id, value] of [[mine.id, undefined], [mine.id, Number.NaN], [mine.id, { at: new Date() }], [mine.id, nest(60)], ['lamp-1', 1], [mine.id.replaceAll('-', ''), 1]]) {
        await assert.rejects(lamp.setValue(id, value), TypeError);
      }
      assert.ok(await lamp.setValue(mine.id, nest(20)) > applied.value);
    });

    test('values queued next to one another go in SetValues frames, numbered from 1, at most maxValuesInFlight values on their way', async () => {
      const lamp = device(`lamp-frames-${messagePack}`, server.address, { maxValuesInFlight: 4 });
      const items = [];
      for (let i = 0; i < 10; i++) {
        items.push(await lamp.add({ type: 'demo.Frames', fields: { value: 0, index: i } }));
      }
      const ids = new Set(items.map((i) => i.id));
      const revisions = await Promise.all(items.map((item, i) => lamp.setValue(item.id, i * 10)));

      const ours = frames.filter((f) => f.values.some(([id]) => ids.has(id)));
      assert.deepEqual(ours.map((f) => f.values.length), [4, 4, 2]);
      assert.deepEqual(ours.flatMap((f) => f.values.map(([, value]) => value)), items.map((_, i) => i * 10));
      const sequences = frames.filter((f) => f.connection === ours[0].connection).map((f) => f.sequence);
      assert.deepEqual(sequences, sequences.map((_, i) => i + 1));
      assert.ok(revisions.every((r, i) => i === 0 || r > revisions[i - 1]), 'applied in the order set');
      for (const [i, item] of items.entries()) {
        assert.equal((await server.rest('GET', `/api/items/${item.id}`)).fields.value, i * 10);
      }
    });

    test('values and other writes are applied in the order they were made', async () => {
      const lamp = device(`lamp-order-${messagePack}`, server.address, { valuesQueuedPerItem: 1 }); // the latest only
      const item = await lamp.add({ type: 'demo.Order', fields: { value: 0 } });
      const writes = [lamp.setValue(item.id, 1), lamp.setValue(item.id, 2),
        lamp.update({ id: item.id, fields: { value: 'whole', extra: true } }), lamp.setValue(item.id, 4)];
      const [one, two, updated, four] = await Promise.all(writes);
      assert.ok(one === two && two < updated.revision && updated.revision < four, `${one} ${two} ${updated.revision} ${four}`);
      assert.equal(updated.fields.value, 'whole');
      const stored = await server.rest('GET', `/api/items/${item.id}`);
      assert.deepEqual(stored.fields, { value: 4, extra: true });
    });
  });
}

test('values set while away are sent once back, each item\'s latest once (valuesQueuedPerItem 1); values not acknowledged go again', async () => {
  const server = await startServer();
  const proxy = await FaultProxy.start(server.port);
  const lamp = new EquipClient({ server: proxy.address, peerId: 'lamp-away', key: adminKey, ...quick, valuesQueuedPerItem: 1 }).start();
  try {
    const level = await lamp.add({ type: 'demo.Level', fields: { value: 0, name: 'level' } });
    const colour = await lamp.add({ type: 'demo.Level', fields: { value: 'red', name: 'colour' } });
    await lamp.waitUntilConnected();
    proxy.targetPort = null;
    proxy.reset();
    await until(() => lamp.state === 'connecting', 'the client notices the cut');

    const levels = [];
    for (let value = 1; value <= 50; value++) {
      levels.push(lamp.setValue(level.id, value));
    }
    const colours = [lamp.setValue(colour.id, 'green'), lamp.setValue(colour.id, 'blue')];
    assert.equal(lamp.pendingChanges, 2, 'one value per item waits');
    proxy.targetPort = server.port;
    const answers = await Promise.all(levels);
    assert.ok(answers.every((a) => a === answers[0]), 'every caller is answered with the revision of the value that took its place');
    const [green, blue] = await Promise.all(colours);
    assert.equal(green, blue);
    assert.equal((await server.rest('GET', `/api/items/${level.id}`)).fields.value, 50);
    assert.deepEqual((await server.rest('GET', `/api/items/${colour.id}`)).fields, { value: 'blue', name: 'colour' });
    const log = await server.rest('GET', `/api/events?after=${colour.revision}`);
    assert.equal(log.events.filter((e) => e.item.id === level.id).length, 1);

    // A value the server applied but whose acknowledgement was lost goes again on the next connection.
    await lamp.waitUntilConnected();
    proxy.muteReplies = true;
    const lost = lamp.setValue(level.id, 99);
    await until(async () => (await server.rest('GET', `/api/items/${level.id}`)).fields.value === 99, 'the server applies the value');
    const first = (await server.rest('GET', `/api/items/${level.id}`)).revision;
    proxy.reset();
    proxy.muteReplies = false;
    const revision = await lost;
    assert.ok(revision > first, `sent again (${revision} after ${first})`);
    assert.equal((await server.rest('GET', `/api/items/${level.id}`)).fields.value, 99);
  } finally {
    await lamp.stop();
    await proxy.stop();
    await server.stop();
  }
});

test('own values acknowledged are what the client re-asserts when the server lost its items', async () => {
  const server = await startServer({ 'Equip:Peers:DisconnectGrace': '00:00:00.200' });
  const proxy = await FaultProxy.start(server.port);
  const lamp = new EquipClient({ server: proxy.address, peerId: 'lamp-reassert', key: adminKey, ...quick }).start();
  try {
    const item = await lamp.add({ type: 'demo.Bound', fields: { value: 0, name: 'bound' }, processBound: true });
    await lamp.setValue(item.id, 42);
    proxy.targetPort = null;
    proxy.reset();
    await until(async () => (await server.fetch(`/api/items/${item.id}`)).status === 404, 'the session ends and its item goes');
    proxy.targetPort = server.port;
    await until(async () => (await server.fetch(`/api/items/${item.id}`)).ok, 'the client re-asserts its item');
    assert.deepEqual((await server.rest('GET', `/api/items/${item.id}`)).fields, { value: 42, name: 'bound' });
  } finally {
    await lamp.stop();
    await proxy.stop();
    await server.stop();
  }
});
