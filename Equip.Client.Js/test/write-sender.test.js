import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EquipRefusedError, HubErrors } from '../src/index.js';
import { OwnedItems } from '../src/owned-items.js';
import { PendingWrites, Write } from '../src/pending-writes.js';
import { HubNames } from '../src/wire.js';
import { ClientConnection, WriteSender } from '../src/write-sender.js';

/** A sender over a connection whose SetValues frames are recorded instead of sent. */
function setUp(maxInFlight = 32, valuesPerItem = 1) {
  const pending = new PendingWrites(100, valuesPerItem);
  const sent = [];
  const hub = { send: async (target, argument) => { sent.push({ target, ...argument }); } };
  const connection = new ClientConnection(/** @type {any} */ (hub));
  const sender = new WriteSender(pending, new OwnedItems('peer'), maxInFlight, () => {});
  const value = (id, v) => {
    const write = new Write(HubNames.setValues, v, id);
    const done = pending.enqueue(write);
    done.catch(() => {});
    return done;
  };
  return { pending, sent, connection, sender, value };
}

const id = (n) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

test('each call\'s acknowledgement hands out its revisions in the order the values were sent', async () => {
  const { pending, sent, connection, sender, value } = setUp(2);
  const answers = [value(id(1), 'a'), value(id(2), 'b'), value(id(3), 'c')];
  assert.equal(await sender.sendNext(connection), true);
  assert.equal(await sender.sendNext(connection), false, 'two values on their way: the third waits');
  const acknowledged = [];
  sender.applied(connection, { sequence: 1, revisions: [10, 0], refused: [{ sequence: 1, index: 1, code: HubErrors.notFound, message: 'No item.' }] },
    (write, revision) => acknowledged.push([write.itemId, write.sentValue, revision]));
  assert.equal(await sender.sendNext(connection), true);
  sender.applied(connection, { sequence: 2, revisions: [12], refused: [] }, (write, revision) => acknowledged.push([write.itemId, write.sentValue, revision]));

  assert.deepEqual(sent.map((f) => [f.target, f.sequence, f.values]), [['SetValues', 1, [[id(1), 'a'], [id(2), 'b']]], ['SetValues', 2, [[id(3), 'c']]]]);
  const [a, b, c] = await Promise.allSettled(answers);
  assert.equal(a.value, 10);
  assert.ok(b.reason instanceof EquipRefusedError);
  assert.equal(b.reason.code, HubErrors.notFound);
  assert.equal(c.value, 12);
  assert.deepEqual(acknowledged, [[id(1), 'a', 10], [id(3), 'c', 12]]);
  assert.equal(pending.count, 0);
});

test('values refused because the server stops stay queued and the connection is given up', async () => {
  const { pending, connection, sender, value } = setUp();
  value(id(1), 1);
  value(id(2), 2);
  await sender.sendNext(connection);
  sender.applied(connection, { sequence: 1, revisions: [0, 0], refused: [{ sequence: 1, index: null, code: HubErrors.stopping, message: 'The server is stopping.' }] }, () => {});
  assert.equal(pending.count, 2);
  assert.equal(connection.failure?.code, HubErrors.stopping);
  const next = new ClientConnection(/** @type {any} */ ({ send: async () => {} }));
  assert.deepEqual(pending.takeValues(next, 10).map((w) => w.itemId), [id(1), id(2)], 'sent again on the next connection');
});

test('an acknowledgement that does not count the values sent answers none of them with a wrong revision', async () => {
  const { pending, connection, sender, value } = setUp();
  const answers = [value(id(1), 1), value(id(2), 2)];
  await sender.sendNext(connection);
  sender.applied(connection, { sequence: 1, revisions: [7], refused: [] }, () => assert.fail('nothing is taken for applied'));
  for (const answer of await Promise.allSettled(answers)) {
    assert.equal(answer.reason?.code, HubErrors.invalid);
  }
  assert.equal(pending.count, 0);
});

test('a newer value of an item takes the place of one still queued, not of one on its way', async () => {
  const { pending, sent, connection, sender, value } = setUp();
  const first = value(id(1), 'first');
  await sender.sendNext(connection);
  const second = value(id(1), 'second');
  const third = value(id(1), 'third');
  assert.equal(pending.count, 2);
  await sender.sendNext(connection);
  assert.deepEqual(sent.map((f) => f.values), [[[id(1), 'first']], [[id(1), 'third']]]);
  sender.applied(connection, { sequence: 1, revisions: [3], refused: [] }, () => {});
  sender.applied(connection, { sequence: 2, revisions: [4], refused: [] }, () => {});
  assert.deepEqual(await Promise.all([first, second, third]), [3, 4, 4]);
});

test('up to valuesQueuedPerItem values of an item wait, each sent; a later one takes the place of the newest', async () => {
  const { pending, sent, connection, sender, value } = setUp(32, 3);
  const onItsWay = value(id(1), 0);
  await sender.sendNext(connection); // on its way: not counted among those waiting
  const answers = [1, 2, 3, 4, 5].map((n) => value(id(1), n));
  const other = value(id(2), 'other');
  assert.equal(pending.count, 5, 'the one on its way, three of the item, one of another');
  await sender.sendNext(connection);
  assert.deepEqual(sent.map((f) => f.values), [[[id(1), 0]], [[id(1), 1], [id(1), 2], [id(1), 5], [id(2), 'other']]]);
  sender.applied(connection, { sequence: 1, revisions: [10], refused: [] }, () => {});
  sender.applied(connection, { sequence: 2, revisions: [11, 12, 13, 14], refused: [] }, () => {});
  assert.deepEqual(await Promise.all([onItsWay, ...answers, other]), [10, 11, 12, 13, 13, 13, 14]);
  assert.equal(pending.count, 0);
});

test('once the queue is half full, a value takes the place of the newest waiting of its item whatever the bound', () => {
  const pending = new PendingWrites(8, 3);
  const enqueue = (itemId, v) => { pending.enqueue(new Write(HubNames.setValues, v, itemId)).catch(() => {}); };
  for (let v = 1; v <= 3; v++) {
    enqueue(id(1), v); // three of item 1: the bound
  }
  enqueue(id(2), 'a'); // the queue is half full from here (four of eight)
  enqueue(id(2), 'b');
  enqueue(id(2), 'c');
  assert.equal(pending.count, 4, 'b took a\'s place, c took b\'s');
  assert.equal(pending.valuesPerItemNow, 1);
});

test('a call still unanswered when a later one is acknowledged was not read: its values fail, the later ones are applied', async () => {
  const { pending, connection, sender, value } = setUp(2);
  const unread = value(id(1), 1);
  await sender.sendNext(connection);
  const read = value(id(2), 2);
  await sender.sendNext(connection);
  const applied = [];
  sender.applied(connection, { sequence: 2, revisions: [9], refused: [] }, (write, revision) => applied.push([write.itemId, revision]));
  const [first, second] = await Promise.allSettled([unread, read]);
  assert.equal(first.reason?.code, HubErrors.invalid);
  assert.equal(second.value, 9);
  assert.deepEqual(applied, [[id(2), 9]]);
  assert.equal(pending.count, 0);
});
