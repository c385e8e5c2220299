import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { HubConnection } from '@microsoft/signalr';
import { ComponentContainer, EquipClient, componentItemId, propertyItemId } from '../src/index.js';
import { adminKey, quick, startServer, until } from './support/server.js';

// Every SetValues the clients of this file send, as [itemId, value] entries: what went on the wire.
const sentValues = [];
const send = HubConnection.prototype.send;
HubConnection.prototype.send = function (target, ...args) {
  if (target === 'SetValues') {
    sentValues.push(...args[0].values);
  }
  return send.call(this, target, ...args);
};


const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const level = { properties: [{ name: 'value', type: 'number', default: 0 }, { name: 'label', type: 'string', readOnly: true, default: 'level' }] };

describe('ComponentContainer against the real server', () => {
  let server;
  const stops = [];

  const container = (containerId, options = {}) => {
    const client = new EquipClient({ server: server.address, peerId: containerId, key: adminKey, ...quick }).start();
    const made = new ComponentContainer(client, options);
    stops.push(async () => { await made.stop().catch(() => {}); await client.stop(); });
    return made;
  };

  const request = (capability, containerId, initialValues) =>
    server.rest('POST', '/api/component-requests', { capability, containerId, initialValues });

  // undefined until the server has the component (the container knows it first).
  const valueOf = async (componentId, name) => {
    const response = await server.fetch(`/api/components/${componentId}`);
    return response.ok ? (await response.json()).properties.find((p) => p.name === name)?.value : undefined;
  };

  before(async () => { server = await startServer(); });
  after(async () => {
    for (const stop of stops) {
      await stop();
    }
    await server.stop();
  });

  test('a request assigned to the container runs there with its initial value, and stops when deleted', async () => {
    const js = container('js-run', { labels: { room: 'kiosk' } }).export('Level', level).start();
    const made = await request('Level', 'js-run', { value: 0.25 });
    await until(async () => (await server.rest('GET', `/api/component-requests/${made.id}`)).status === 'running', 'the request runs');

    const component = js.components.get(made.id);
    assert.equal(component.property('value').value, 0.25);
    assert.equal(await valueOf(made.id, 'value'), 0.25);
    const containers = await server.rest('GET', '/api/containers');
    assert.deepEqual(containers.find((c) => c.containerId === 'js-run').capabilities, ['Level']);
    assert.equal(containers.find((c) => c.containerId === 'js-run').host, hostname()); // not $HOSTNAME, which a shell does not export
    const item = await server.rest('GET', `/api/items/${componentItemId(made.id)}`);
    assert.equal(item.fields.componentRequestId, made.id); // under the documented stable id

    await server.rest('DELETE', `/api/component-requests/${made.id}`);
    await until(() => !js.components.has(made.id), 'the component stops');
    await until(async () => (await server.fetch(`/api/items/${propertyItemId(made.id, 'value')}`)).status === 404, 'its items are deleted');
  });

  test('a value set through REST reaches the component, and what the component sets is published', async () => {
    const js = container('js-set').export('Level', level).start();
    const made = await request('Level', 'js-set');
    await until(() => js.components.has(made.id), 'the component launches');
    const component = js.components.get(made.id);
    const applied = new Promise((resolve) => component.property('value').onChanged(resolve));
    await until(async () => (await valueOf(made.id, 'value')) === 0, 'the property is published');

    await server.rest('PUT', `/api/components/${made.id}/properties/value`, { value: 0.5 });
    assert.equal(await applied, 0.5);
    component.property('value').value = 0.9;
    await until(async () => (await valueOf(made.id, 'value')) === 0.9, 'the component\'s own value is published');
    await assert.rejects(server.rest('PUT', `/api/components/${made.id}/properties/label`, { value: 'x' }), (e) => e.status === 409);
  });

  test('a read-only property or a value of the wrong type written into the item is written back', async () => {
    const js = container('js-revert').export('Level', level).start();
    const made = await request('Level', 'js-revert');
    await until(() => js.components.has(made.id), 'the component launches');
    const id = propertyItemId(made.id, 'label');
    await until(async () => (await server.fetch(`/api/items/${id}`)).ok, 'the property is published');
    const item = await server.rest('GET', `/api/items/${id}`);

    await server.rest('PUT', `/api/items/${id}`, { fields: { ...item.fields, value: 'tampered' } });
    await until(async () => (await server.rest('GET', `/api/items/${id}`)).fields.value === 'level', 'the real value is written back');
    const value = await server.rest('GET', `/api/items/${propertyItemId(made.id, 'value')}`);
    await server.rest('PUT', `/api/items/${value.id}`, { fields: { ...value.fields, value: 'not a number' } });
    await until(async () => (await server.rest('GET', `/api/items/${value.id}`)).fields.value === 0, 'the wrong type is reverted');
    assert.equal(js.components.get(made.id).property('value').value, 0);
  });

  test('a property set many times at once publishes its first values and its latest, at most valuesQueuedPerItem', async () => {
    const js = container('js-burst').export('Level', level).start();
    const made = await request('Level', 'js-burst');
    await until(async () => (await valueOf(made.id, 'value')) === 0, 'the property is published');
    const id = propertyItemId(made.id, 'value');
    const property = js.components.get(made.id).property('value');

    const sets = [];
    for (let value = 1; value <= 200; value++) {
      sets.push(property.set(value));
    }
    await Promise.all(sets);
    const sent = sentValues.filter(([itemId]) => itemId === id);
    assert.deepEqual(sent, [[id, 1], [id, 2], [id, 3], [id, 200]], 'four wait (the default), the last takes the latest');
    assert.equal(await valueOf(made.id, 'value'), 200);
    await property.set(200); // the value it holds: nothing to send
    property.value = 201;
    await until(async () => (await valueOf(made.id, 'value')) === 201, 'a later set goes too');
    assert.deepEqual(sentValues.filter(([itemId]) => itemId === id), [[id, 1], [id, 2], [id, 3], [id, 200], [id, 201]]);
  });

  test('a property item whose name, type or read-only flag someone changed is published whole again', async () => {
    const js = container('js-shape').export('Level', level).start();
    const made = await request('Level', 'js-shape');
    const id = propertyItemId(made.id, 'value');
    await until(async () => (await server.fetch(`/api/items/${id}`)).ok, 'the property is published');
    const item = await server.rest('GET', `/api/items/${id}`);

    await server.rest('PUT', `/api/items/${id}`, { fields: { ...item.fields, type: 'string', value: 0.5 } });
    await until(async () => (await server.rest('GET', `/api/items/${id}`)).fields.type === 'number', 'the real item is published again');
    assert.deepEqual((await server.rest('GET', `/api/items/${id}`)).fields,
      { componentId: made.id, name: 'value', type: 'number', readOnly: false, value: 0.5 });
    assert.equal(js.components.get(made.id).property('value').value, 0.5, 'the value itself was the writer\'s to set');
  });

  /** Two containers, a Level launched on each, the first's value linked to the second's. */
  const linkedLevels = async (from, to) => {
    const a = container(from).export('Level', level).start();
    const b = container(to).export('Level', level).start();
    const source = await request('Level', from);
    const destination = await request('Level', to);
    await until(() => a.components.has(source.id) && b.components.has(destination.id), 'both launch');
    await server.rest('POST', '/api/links', {
      source: { componentRequestId: source.id, property: 'value' },
      destination: { componentRequestId: destination.id, property: 'value' },
    });
    return { a, b, source, destination };
  };

  test('a link between components of two JavaScript containers carries the source\'s values', async () => {
    const { a, b, source, destination } = await linkedLevels('js-a', 'js-b');

    const heard = [];
    b.components.get(destination.id).property('value').onChanged((value) => heard.push(value));
    a.components.get(source.id).property('value').value = 0.66;
    await until(() => b.components.get(destination.id).property('value').value === 0.66, 'the destination component holds the value');
    const links = await server.rest('GET', '/api/links');
    assert.equal(links[0].status, 'active');

    const sourceValue = a.components.get(source.id).property('value');
    for (const value of [0.1, 0.2, 0.3]) {
      sourceValue.value = value;
      await pause(20);
    }
    await until(() => b.components.get(destination.id).property('value').value === 0.3, 'the destination follows the source');
    await until(async () => (await valueOf(destination.id, 'value')) === 0.3, 'the destination\'s item shows it');
    assert.equal(heard.at(-1), 0.3);
    assert.ok(heard.every((v) => [0.66, 0.1, 0.2, 0.3].includes(v)), `heard ${heard}`);
  });

  test('values set together go along a link together and the destination hears each, in order', async () => {
    const { a, b, source, destination } = await linkedLevels('js-burst-a', 'js-burst-b');
    const sourceValue = a.components.get(source.id).property('value');
    const destinationValue = b.components.get(destination.id).property('value');
    sourceValue.value = 0.5;
    await until(() => destinationValue.value === 0.5, 'the link carries a first value');

    const heard = [];
    destinationValue.onChanged((value) => heard.push(value));
    for (const value of [1, 2, 3, 4]) {
      sourceValue.value = value; // one frame: four values wait (valuesQueuedPerItem), none replaced
    }
    await until(() => destinationValue.value === 4, 'the destination follows the source');
    assert.deepEqual(heard, [1, 2, 3, 4]);
  });
});
