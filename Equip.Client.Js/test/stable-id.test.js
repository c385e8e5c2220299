import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilityItemId, componentIdForLocal, componentItemId, containerItemId, propertyItemId } from '../src/index.js';

const request = '0198c2d5-6a3e-7c11-9a52-3f0e8e2b7a10';

test('the stable ids are those docs/components.md lists (and Equip.Protocol computes)', () => {
  assert.equal(containerItemId('sim-1'), 'f72bd1e3-e225-5325-9b75-d81ac3b51a9d');
  assert.equal(capabilityItemId('sim-1', 'Slider'), 'e6fc8d0a-2184-55e7-8fd8-27541a09a68f');
  assert.equal(componentItemId(request), 'ddfbccb4-f872-5f59-b842-441970275a64');
  assert.equal(componentItemId(componentIdForLocal('sim-1', 'lamp')), '75c256ee-d4c6-5929-94b4-75ef1ef2cd2e');
  assert.equal(propertyItemId(request, 'value'), 'e1356efe-3833-5483-9c5d-221e73526eb3');
});

test('random ids are version 4 UUIDs without crypto.randomUUID too (pages served over plain http)', async () => {
  const { randomId } = await import('../src/client.js');
  const original = globalThis.crypto.randomUUID;
  try {
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
    assert.equal(typeof globalThis.crypto.randomUUID, 'undefined');
    const ids = new Set(Array.from({ length: 100 }, () => randomId()));
    assert.equal(ids.size, 100);
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  } finally {
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true });
  }
});
