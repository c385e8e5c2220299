// @ts-check
import { clientInternals } from './client.js';
import { componentInternals, startingValues, valueTypes } from './component.js';
import { HubErrors } from './errors.js';
import { EctTypes } from './wire.js';
import { capabilityItemId, componentItemId, containerItemId, propertyItemId } from './stable-id.js';

/** @typedef {import('./client.js').EquipClient} EquipClient */
/** @typedef {import('./component.js').Component} Component */
/** @typedef {import('./component.js').Property} Property */
/** @typedef {import('./replica.js').Replica} Replica */
/** @typedef {import('../types/index.js').WireItem} WireItem */
/** @typedef {import('../types/index.js').WireEvent} WireEvent */
/** @typedef {import('../types/index.js').CapabilityDefinition} CapabilityDefinition */
/** @typedef {import('../types/index.js').ContainerOptions} ContainerOptions */
/** @typedef {import('../types/index.js').ContainerEvent} ContainerEvent */

/**
 * A component container on an EquipClient (docs/components.md): it publishes itself and the
 * capabilities it exports, launches a component for every request the server assigns to it and
 * stops it when the request leaves, publishes the components' properties (their values by the
 * value lane), and applies values written into them from outside (or writes the real value back
 * when it cannot).
 */
export class ComponentContainer {
  /** @type {EquipClient} */ #client;
  /** @type {string} */ #containerId;
  /** @type {ContainerOptions} */ #options;
  /** @type {Map<string, CapabilityDefinition>} */ #exports;
  /** @type {Map<string, Component>} */ #components;
  /** @type {Map<string, RunningComponent>} */ #running;
  /** @type {Map<string, PropertyPublication>} */ #publications;
  /** @type {Record<ContainerEvent, Set<(component: Component) => void>>} */ #listeners;
  /** @type {Promise<void>} */ #reconciling;
  /** @type {Replica | null} */ #properties;
  /** @type {Replica | null} */ #requests;

  /**
   * @param {EquipClient} client its peer id is the container id
   * @param {ContainerOptions} [options]
   */
  constructor(client, options = {}) {
    this.#client = client;
    this.#containerId = client.peerId;
    this.#options = options;
    this.#exports = new Map();
    this.#components = new Map();
    this.#running = new Map();
    this.#publications = new Map();
    this.#listeners = { launched: new Set(), stopped: new Set() };
    this.#reconciling = Promise.resolve();
    this.#properties = null;
    this.#requests = null;
  }

  /** The container's id: its client's peer id. */
  get containerId() { return this.#containerId; }

  /** The running components, by component id. @returns {ReadonlyMap<string, Component>} */
  get components() { return this.#components; }

  /**
   * Exports a capability. `launch(component)` is called when a component of it starts; what it
   * returns may have `stop()`, called when the component stops.
   * @param {string} capability @param {CapabilityDefinition} definition
   */
  export(capability, definition) {
    if (this.#requests) {
      throw new Error('Export capabilities before start().');
    }
    for (const property of definition.properties) {
      if (!valueTypes.includes(property.type)) {
        throw new TypeError(`Property '${property.name}' has type '${property.type}'; use one of ${valueTypes.join(', ')}.`);
      }
    }
    this.#exports.set(capability, definition);
    return this;
  }

  /**
   * @param {ContainerEvent} event @param {(component: Component) => void} listener
   * @returns {() => void} unsubscribes
   */
  on(event, listener) {
    this.#listeners[event].add(listener);
    return () => { this.#listeners[event].delete(listener); };
  }

  /** Publishes the container and its capabilities and starts following its requests. */
  start() {
    const o = this.#options;
    this.#publish(containerItemId(this.#containerId), EctTypes.container,
      { containerId: this.#containerId, name: o.name ?? this.#containerId, host: o.host ?? hostName(), labels: o.labels ?? {} });
    for (const [capability, definition] of this.#exports) {
      this.#publish(capabilityItemId(this.#containerId, capability), EctTypes.capability, {
        containerId: this.#containerId,
        capability,
        properties: definition.properties.map((p) => ({ name: p.name, type: p.type, readOnly: p.readOnly ?? false, default: p.default ?? null })),
      });
    }
    const properties = this.#client.subscribe({ type: EctTypes.property, responsible: this.#containerId });
    properties.onChanged((events) => this.#onPropertiesChanged(properties, events));
    this.#properties = properties;
    const requests = this.#client.subscribe({ type: EctTypes.componentRequest, fields: { assignedContainerId: this.#containerId } });
    requests.onChanged(() => this.#reconcile());
    this.#requests = requests;
    return this;
  }

  /** Stops every component and deletes the container's items. @returns {Promise<void>} */
  async stop() {
    await this.#reconciling;
    await Promise.all([...this.#running.values()].map((r) => this.#stopComponent(r)));
    await Promise.all([...this.#exports.keys()].map((k) => this.#client.deleteOwn(capabilityItemId(this.#containerId, k))));
    await this.#client.deleteOwn(containerItemId(this.#containerId));
  }

  #reconcile() {
    this.#reconciling = this.#reconciling.then(() => this.#reconcileNow()).catch(() => {});
  }

  async #reconcileNow() {
    const requests = /** @type {Replica} */ (this.#requests);
    const assigned = new Map([...requests.items.values()]
      .filter((r) => this.#exports.has(r.fields.capability))
      .map((r) => [r.id.toLowerCase(), r]));
    for (const running of [...this.#running.values()]) {
      if (!assigned.has(running.component.componentId)) {
        await this.#stopComponent(running);
      }
    }
    for (const [componentId, request] of assigned) {
      if (!this.#running.has(componentId)) {
        this.#launch(request);
      }
    }
  }

  /** @param {WireItem} request */
  #launch(request) {
    const capability = request.fields.capability;
    const definition = /** @type {CapabilityDefinition} */ (this.#exports.get(capability));
    const component = componentInternals.create(this, capability, request, definition.properties, startingValues(definition.properties, request));
    let behaviour = null;
    try {
      behaviour = definition.launch?.(component) ?? null; // sets made here go out with the items
    } catch (error) {
      console.error(`Launching ${capability} ${component.componentId} failed:`, error);
    }
    const running = new RunningComponent(this.#client, component, behaviour, {
      runs: (r) => this.#running.get(r.component.componentId) === r,
      published: (publication) => this.#publications.set(publication.itemId, publication),
      check: (itemId) => this.#check(itemId),
    });
    this.#components.set(component.componentId, component);
    this.#running.set(component.componentId, running);
    running.publish();
    this.#emit('launched', component);
  }

  /** @param {RunningComponent} running */
  async #stopComponent(running) {
    const component = running.component;
    this.#components.delete(component.componentId);
    this.#running.delete(component.componentId);
    componentInternals.attach(component, null);
    try {
      await running.behaviour?.stop?.();
    } catch (error) {
      console.error(`Stopping ${component.capability} ${component.componentId} failed:`, error);
    }
    const itemIds = running.itemIds();
    for (const id of itemIds) {
      this.#publications.delete(id);
    }
    await Promise.all(itemIds.map((id) => this.#deleteIfStillOurs(id)));
    this.#emit('stopped', component);
  }

  /**
   * A request that moved to another container: its items there keep the ids; delete only ours.
   * @param {string} id
   */
  async #deleteIfStillOurs(id) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const known = clientInternals.knownRevision(this.#client, id);
      try {
        await this.#client.delete(id, known);
        return;
      } catch (error) {
        const code = /** @type {any} */ (error)?.code;
        if (code === HubErrors.notFound) {
          return;
        }
        if (code !== HubErrors.revisionMismatch) {
          throw error;
        }
        const now = this.#client.state === 'connected' ? await this.#client.get(id) : null;
        if (!now || now.responsible !== this.#containerId) {
          return;
        }
      }
    }
  }

  /**
   * Values written into the container's properties from outside.
   * @param {Replica} properties @param {WireEvent[] | null} events
   */
  #onPropertiesChanged(properties, events) {
    if (!events) {
      for (const id of [...properties.items.keys()]) {
        this.#check(id);
      }
      return;
    }
    for (const event of events) {
      if (event.kind !== 'deleted') {
        this.#check(event.item.id, event.item); // each value of a frame in turn
      }
    }
  }

  /**
   * Someone may have written a property's item: apply the value, or publish the real state again.
   * Only the value is anyone else's to write: a value the property refuses is answered with the
   * property's own value, a write that changed its name, type or read-only flag with the real item.
   * @param {string} itemId @param {WireItem} [delivered] the item as a change delivered it (else as the replica holds it now)
   */
  #check(itemId, delivered) {
    const item = delivered ?? this.#properties?.get(itemId);
    const publication = this.#publications.get(itemId);
    if (!item || !publication || !publication.running.isCurrent() || !publication.mayHoldOthersWrite(item)) {
      return; // what the item shows is the container's doing (or will be looked at once answered)
    }
    const property = publication.property;
    const value = item.fields?.value;
    const offer = componentInternals.offer(property, value);
    if (!hasShapeOf(item.fields, property)) {
      publication.running.republish(property);
    } else if (offer === 'refused') {
      publication.publishValue();
    }
    if (offer === 'applied') {
      componentInternals.notify(property, value);
    }
  }

  /** @param {string} id @param {string} type @param {Record<string, unknown>} fields */
  #publish(id, type, fields) {
    this.#client.add({ id, type, fields, processBound: true }).catch(() => {});
  }

  /** @param {ContainerEvent} event @param {Component} component */
  #emit(event, component) {
    for (const listener of [...this.#listeners[event]]) {
      listener(component);
    }
  }
}

/**
 * @typedef {object} ContainerHooks
 * @property {(running: RunningComponent) => boolean} runs whether the component still runs here
 * @property {(publication: PropertyPublication) => void} published a property's item is the container's now
 * @property {(itemId: string) => void} check looks at a property's item again
 */

/**
 * The container's side of a launched component: it publishes the ect.Component item and one
 * ect.Property item per property, and every value the component sets. A component that moved here
 * from another container has the same item ids there: until that container (or the end of its
 * session) removed them, an add is refused with owned (adds never take items over), and is tried
 * again, with the item as it is then, while the component runs here.
 */
class RunningComponent {
  /** @type {EquipClient} */ #client;
  /** @type {Component} */ #component;
  /** @type {{ stop?: () => unknown } | null} */ #behaviour;
  /** @type {ContainerHooks} */ #hooks;
  /** @type {Map<string, PropertyPublication>} */ #publications;

  /**
   * @param {EquipClient} client @param {Component} component @param {any} behaviour what launch returned
   * @param {ContainerHooks} hooks
   */
  constructor(client, component, behaviour, hooks) {
    this.#client = client;
    this.#component = component;
    this.#behaviour = behaviour;
    this.#hooks = hooks;
    this.#publications = new Map();
  }

  get client() { return this.#client; }

  get component() { return this.#component; }

  get behaviour() { return this.#behaviour; }

  isCurrent() {
    return this.#hooks.runs(this);
  }

  /** Publishes the component with its values now; from then on its sets are published. */
  publish() {
    const component = this.#component;
    const fields = {
      componentId: component.componentId, containerId: component.container.containerId, capability: component.capability,
      componentRequestId: component.requestId, name: component.capability,
    };
    this.#addOwn(() => ({ id: componentItemId(component.componentId), type: EctTypes.component, fields, processBound: true })).catch(() => {});
    componentInternals.attach(component, { publish: (property) => this.#publication(property).publishValue() });
    for (const property of component.properties.values()) {
      const publication = new PropertyPublication(this, property, this.#hooks.check);
      this.#publications.set(property.name, publication);
      this.#hooks.published(publication);
      publication.track(this.#addOwn(() => ({ id: publication.itemId, type: EctTypes.property, fields: componentInternals.fields(property), processBound: true }))
        .then((item) => item.revision));
    }
  }

  /**
   * Publishes a property's whole item again (someone changed more than its value: its name, type
   * or read-only flag).
   * @param {Property} property
   */
  republish(property) {
    const publication = this.#publication(property);
    publication.track(this.#client.update({ id: publication.itemId, fields: componentInternals.fields(property), unreliable: true })
      .then((item) => item.revision));
  }

  /** The items to delete once the component stopped: its properties', then its own. */
  itemIds() {
    return [...[...this.#publications.values()].map((p) => p.itemId), componentItemId(this.#component.componentId)];
  }

  /** @param {Property} property */
  #publication(property) {
    return /** @type {PropertyPublication} */ (this.#publications.get(property.name));
  }

  /**
   * Adds the item made by the function (called at each attempt, so that a retry carries the values
   * set meanwhile), again while another container holds its id.
   * @param {() => import('../types/index.js').AddRequest} item @returns {Promise<WireItem>}
   */
  async #addOwn(item) {
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return await this.#client.add(item());
      } catch (error) {
        if (/** @type {any} */ (error)?.code !== HubErrors.owned || !this.isCurrent()) {
          throw error;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.isCurrent()) {
        throw new Error('The component stopped here before its items were free.');
      }
    }
  }
}

/**
 * A property's item and the container's own writes to it. While a write of its own is unanswered,
 * or when the item's revision is not above that of its last own write, what the item shows is the
 * container's doing (or older): only a later revision is someone else's write.
 */
class PropertyPublication {
  /** @type {RunningComponent} */ #running;
  /** @type {Property} */ #property;
  /** @type {string} */ #itemId;
  /** @type {(itemId: string) => void} */ #check;
  /** @type {number} */ #unanswered;
  /** @type {number} */ #lastOwnRevision;
  /** @type {{ write: import('./pending-writes.js').Write, value: { current: unknown } }[]} value writes not on their way yet, each with the value it will send */ #waiting;

  /** @param {RunningComponent} running @param {Property} property @param {(itemId: string) => void} check */
  constructor(running, property, check) {
    this.#running = running;
    this.#property = property;
    this.#itemId = propertyItemId(running.component.componentId, property.name);
    this.#check = check;
    this.#unanswered = 0;
    this.#lastOwnRevision = 0;
    this.#waiting = [];
  }

  get running() { return this.#running; }

  get property() { return this.#property; }

  get itemId() { return this.#itemId; }

  /** Whether the item may hold a value someone else wrote. @param {WireItem} item */
  mayHoldOthersWrite(item) {
    return this.#unanswered === 0 && item.revision > this.#lastOwnRevision;
  }

  /**
   * Publishes the property's value (SetValues). Each value is a write of its own while fewer than
   * the client's valuesQueuedPerItem wait to be sent; beyond them the newest waiting write takes
   * the value instead, so a property set many times between two frames costs at most that many
   * values on the wire, the last of them the latest. Resolves with the revision once the server
   * applied it.
   * @returns {Promise<number>}
   */
  publishValue() {
    this.#waiting = this.#waiting.filter((w) => w.write.isWaiting);
    const newest = this.#waiting.at(-1);
    if (newest && this.#waiting.length >= clientInternals.valuesQueuedPerItem(this.#running.client)) {
      newest.value.current = this.#property.value;
      return newest.write.done;
    }
    const value = { current: this.#property.value };
    const write = clientInternals.queueValue(this.#running.client, this.#itemId, () => value.current);
    this.#waiting.push({ write, value });
    this.track(write.done);
    return write.done;
  }

  /**
   * Counts a write of the container's, and once it is answered looks at the item again: a write
   * from someone else may have come in meanwhile.
   * @param {Promise<number>} write resolves with the revision written
   */
  track(write) {
    this.#unanswered++;
    write.then((revision) => { this.#lastOwnRevision = Math.max(this.#lastOwnRevision, revision); }, () => {
      // Refused (the item was deleted) or never sent (the client stopped): there is no write of
      // ours to wait for, which is all that matters here.
    }).finally(() => {
      this.#unanswered--;
      this.#check(this.#itemId);
    });
  }
}

/**
 * Whether the fields name the property as it is: its component, name, type and read-only flag.
 * @param {any} fields @param {Property} property
 */
function hasShapeOf(fields, property) {
  return fields !== null && typeof fields === 'object'
    && fields.componentId === property.component.componentId && fields.name === property.name
    && fields.type === property.type && fields.readOnly === property.readOnly;
}

/** The machine's name: Node's os.hostname() (not $HOSTNAME, which shells do not export), or the page's host in a browser. */
function hostName() {
  const process = /** @type {any} */ (globalThis).process;
  if (process?.versions?.node) {
    return process.getBuiltinModule?.('node:os')?.hostname() || process.env.HOSTNAME || 'node';
  }
  return globalThis.location?.hostname ?? 'browser';
}
