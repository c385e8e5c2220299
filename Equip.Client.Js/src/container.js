import { Component, isOfType, startingValues, valueTypes } from './component.js';
import { HubErrors } from './errors.js';
import { capabilityItemId, componentItemId, containerItemId, propertyItemId } from './stable-id.js';
import { sameJson } from './wire.js';

/**
 * A component container on an EquipClient (docs/components.md): it publishes itself and the
 * capabilities it exports, launches a component for every request the server assigns to it and
 * stops it when the request leaves, publishes the components' properties, and applies values
 * written into them from outside (or writes the real value back when it cannot).
 */
export class ComponentContainer {
  /**
   * @param {import('./client.js').EquipClient} client its peer id is the container id
   * @param {{ name?: string, host?: string, labels?: Record<string, string> }} [options]
   */
  constructor(client, options = {}) {
    this.client = client;
    this.containerId = client.peerId;
    this.options = options;
    /** @type {Map<string, { properties: object[], launch?: (component: Component) => any }>} */
    this.exports = new Map();
    /** @type {Map<string, Component>} */
    this.components = new Map();
    this.ownWrites = new Map(); // property item id → { inFlight, revision }
    this.listeners = { launched: new Set(), stopped: new Set() };
    this.reconciling = Promise.resolve();
  }

  /**
   * Exports a capability. `launch(component)` is called when a component of it starts; what it
   * returns may have `stop()`, called when the component stops.
   * @param {string} capability
   * @param {{ properties: Array<{ name: string, type: string, readOnly?: boolean, default?: any }>, launch?: (component: Component) => any }} definition
   */
  export(capability, definition) {
    if (this.requests) {
      throw new Error('Export capabilities before start().');
    }
    for (const property of definition.properties) {
      if (!valueTypes.includes(property.type)) {
        throw new TypeError(`Property '${property.name}' has type '${property.type}'; use one of ${valueTypes.join(', ')}.`);
      }
    }
    this.exports.set(capability, definition);
    return this;
  }

  /** @param {'launched' | 'stopped'} event @param {(component: Component) => void} listener */
  on(event, listener) {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Publishes the container and its capabilities and starts following its requests. */
  start() {
    const o = this.options;
    this.publish(containerItemId(this.containerId), 'ect.Container',
      { containerId: this.containerId, name: o.name ?? this.containerId, host: o.host ?? hostName(), labels: o.labels ?? {} });
    for (const [capability, definition] of this.exports) {
      this.publish(capabilityItemId(this.containerId, capability), 'ect.Capability', {
        containerId: this.containerId,
        capability,
        properties: definition.properties.map((p) => ({ name: p.name, type: p.type, readOnly: p.readOnly ?? false, default: p.default ?? null })),
      });
    }
    this.properties = this.client.subscribe({ type: 'ect.Property', responsible: this.containerId });
    this.properties.onChanged((events) => this.onPropertiesChanged(events));
    this.requests = this.client.subscribe({ type: 'ect.ComponentRequest', fields: { assignedContainerId: this.containerId } });
    this.requests.onChanged(() => this.reconcile());
    return this;
  }

  /** Stops every component and deletes the container's items. */
  async stop() {
    await this.reconciling;
    await Promise.all([...this.components.values()].map((c) => this.stopComponent(c)));
    await Promise.all([...this.exports.keys()].map((k) => this.client.deleteOwn(capabilityItemId(this.containerId, k))));
    await this.client.deleteOwn(containerItemId(this.containerId));
  }

  reconcile() {
    this.reconciling = this.reconciling.then(() => this.reconcileNow()).catch(() => {});
  }

  async reconcileNow() {
    const assigned = new Map([...this.requests.items.values()]
      .filter((r) => this.exports.has(r.fields.capability))
      .map((r) => [r.id.toLowerCase(), r]));
    for (const component of [...this.components.values()]) {
      if (!assigned.has(component.componentId)) {
        await this.stopComponent(component);
      }
    }
    for (const [componentId, request] of assigned) {
      if (!this.components.has(componentId)) {
        this.launch(request);
      }
    }
  }

  launch(request) {
    const capability = request.fields.capability;
    const definition = this.exports.get(capability);
    const component = new Component(this, capability, request, definition.properties, startingValues(definition.properties, request));
    this.components.set(component.componentId, component);
    try {
      component.behaviour = definition.launch?.(component) ?? null;
    } catch (error) {
      console.error(`Launching ${capability} ${component.componentId} failed:`, error);
    }
    const fields = {
      componentId: component.componentId, containerId: this.containerId, capability, componentRequestId: request.id, name: capability,
    };
    this.addOwn(component, () => ({ id: componentItemId(component.componentId), type: 'ect.Component', fields, processBound: true })).catch(() => {});
    for (const property of component.properties.values()) {
      this.publishValue(property);
    }
    this.emit('launched', component);
  }

  async stopComponent(component) {
    this.components.delete(component.componentId);
    try {
      await component.behaviour?.stop?.();
    } catch (error) {
      console.error(`Stopping ${component.capability} ${component.componentId} failed:`, error);
    }
    await Promise.all([...component.properties.keys()].map((name) => this.deleteIfStillOurs(propertyItemId(component.componentId, name))));
    await this.deleteIfStillOurs(componentItemId(component.componentId));
    this.emit('stopped', component);
  }

  /** A request that moved to another container: its items there keep the ids; delete only ours. */
  async deleteIfStillOurs(id) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const known = this.client.owned.revisionOf(id);
      try {
        await this.client.delete(id, known);
        return;
      } catch (error) {
        if (error.code === HubErrors.notFound) {
          return;
        }
        if (error.code !== HubErrors.revisionMismatch) {
          throw error;
        }
        const now = this.client.state === 'connected' ? await this.client.get(id) : null;
        if (!now || now.responsible !== this.containerId) {
          return;
        }
      }
    }
  }

  /** The component set a value (or launched): update its property's item. */
  publishValue(property) {
    const id = propertyItemId(property.component.componentId, property.name);
    const own = this.ownWrites.get(id) ?? { inFlight: 0, revision: 0 };
    own.inFlight++;
    this.ownWrites.set(id, own);
    const write = this.client.owned.has(id)
      ? this.client.update({ id, fields: property.fields(), unreliable: true })
      : this.addOwn(property.component, () => ({ id, type: 'ect.Property', fields: property.fields(), processBound: true }));
    write.then((item) => { own.revision = Math.max(own.revision, item?.revision ?? 0); }, () => {})
      .finally(() => {
        own.inFlight--;
        this.lookAgain(id);
      });
  }

  /** Values written into the container's properties from outside. */
  onPropertiesChanged(events) {
    const ids = events ? events.filter((e) => e.kind !== 'deleted').map((e) => e.item.id) : [...this.properties.items.keys()];
    for (const id of ids) {
      this.lookAgain(id);
    }
  }

  lookAgain(id) {
    const item = this.properties?.get(id);
    const own = this.ownWrites.get(id);
    if (!item || (own && (own.inFlight > 0 || item.revision <= own.revision))) {
      return; // what the item shows is the container's doing (or will be looked at once answered)
    }
    const component = this.components.get(item.fields.componentId);
    const property = component?.properties.get(item.fields.name);
    if (!property) {
      return;
    }
    const value = item.fields.value;
    const described = item.fields.type === property.type && item.fields.readOnly === property.readOnly;
    if (sameJson(value, property.value) && described) {
      if (own) {
        own.revision = item.revision;
      }
      return;
    }
    if (!property.readOnly && isOfType(value, property.type) && !sameJson(value, property.value)) {
      property.applyFromOutside(value);
    }
    if (!described || !sameJson(value, property.value)) {
      this.publishValue(property); // refused, or described wrongly: the real state goes back
    } else if (own) {
      own.revision = item.revision;
    } else {
      this.ownWrites.set(id, { inFlight: 0, revision: item.revision });
    }
  }

  /**
   * Adds an item of a running component. A component that moved here from another container has
   * the same item ids there: until that container (or the end of its session) removed them, the
   * add is refused with owned (adds never take items over), and is tried again, with the item as
   * it is then, while the component runs here.
   */
  async addOwn(component, item, wait = 50) {
    try {
      return await this.client.add(item());
    } catch (error) {
      if (error?.code !== 'owned' || this.components.get(component.componentId) !== component) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      return this.addOwn(component, item, Math.min(wait * 2, 1000));
    }
  }

  publish(id, type, fields) {
    this.client.add({ id, type, fields, processBound: true }).catch(() => {});
  }

  emit(event, component) {
    for (const listener of [...this.listeners[event]]) {
      listener(component);
    }
  }
}

function hostName() {
  return globalThis.process?.versions?.node ? globalThis.process.env.HOSTNAME ?? 'node' : globalThis.location?.hostname ?? 'browser';
}
