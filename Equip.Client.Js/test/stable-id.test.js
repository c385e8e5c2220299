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
