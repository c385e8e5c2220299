// @ts-check
import { withValue } from './wire.js';

/** @typedef {import('../types/index.js').WireItem} WireItem */
/** @typedef {import('../types/index.js').WireEvent} WireEvent */
/** @typedef {import('../types/index.js').WirePattern} WirePattern */
/** @typedef {import('./wire.js').SnapshotMessage} SnapshotMessage */
/** @typedef {import('./wire.js').ChangesMessage} ChangesMessage */
/** @typedef {import('./wire.js').ValuesMessage} ValuesMessage */
/** @typedef {(events: WireEvent[] | null, replica: Replica) => void} ReplicaListener */

/**
 * What the client does to a replica; not part of the package's API (index.js does not export it).
 * @typedef {object} ReplicaInternals
 * @property {(subscriptionId: string, pattern: WirePattern) => Replica} create
 * @property {(replica: Replica, message: SnapshotMessage) => void} applySnapshot
 * @property {(replica: Replica, message: ChangesMessage) => void} applyChanges
 * @property {(replica: Replica, message: ValuesMessage) => void} applyValues
 * @property {(replica: Replica, itemId: string, value: unknown, revision: number) => void} applyOwnValue
 */

/** @type {ReplicaInternals} */
export let replicaInternals;

/**
 * A local copy of the items matching a pattern, kept current by the subscription: the snapshot,
 * then every change after its revision (value changes included). After a reconnection it catches
 * up from the last revision it applied (or is replaced by a resynchronised snapshot).
 */
export class Replica {
  /** @type {string} */ #subscriptionId;
  /** @type {WirePattern} */ #pattern;
  /** @type {Map<string, WireItem>} */ #items;
  /** @type {number} */ #revision;
  /** @type {boolean} */ #hasSnapshot;
  /** @type {Set<ReplicaListener>} */ #listeners;

  static {
    replicaInternals = {
      create: (subscriptionId, pattern) => new Replica(subscriptionId, pattern),
      applySnapshot: (replica, message) => replica.#applySnapshot(message),
      applyChanges: (replica, message) => replica.#applyChanges(message),
      applyValues: (replica, message) => replica.#applyValues(message),
      applyOwnValue: (replica, itemId, value, revision) => replica.#applyOwnValue(itemId, value, revision),
    };
  }

  /**
   * Made by EquipClient.subscribe.
   * @param {string} subscriptionId @param {WirePattern} pattern
   */
  constructor(subscriptionId, pattern) {
    this.#subscriptionId = subscriptionId;
    this.#pattern = pattern;
    this.#items = new Map();
    this.#revision = 0;
    this.#hasSnapshot = false;
    this.#listeners = new Set();
  }

  /** The subscription's id on the connection. */
  get subscriptionId() { return this.#subscriptionId; }

  /** What the replica holds. */
  get pattern() { return this.#pattern; }

  /** The items now, by id. @returns {ReadonlyMap<string, WireItem>} */
  get items() { return this.#items; }

  /** The revision of the last change applied; catch-up after a reconnect starts after it. */
  get revision() { return this.#revision; }

  /** Whether a first snapshot has arrived. */
  get hasSnapshot() { return this.#hasSnapshot; }

  /** @param {string} id */
  get(id) {
    return this.#items.get(id);
  }

  /**
   * Calls back after every snapshot or batch of changes applied, with the events (null for a
   * snapshot); a value change is an `updated` event with the item as it is now. Returns a
   * function that unsubscribes.
   * @param {ReplicaListener} listener
   */
  onChanged(listener) {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /**
   * Resolves once the condition holds (checked now and after every change).
   * @param {(replica: Replica) => unknown} condition @param {number} [timeoutMs]
   * @returns {Promise<Replica>}
   */
  waitUntil(condition, timeoutMs = 30_000) {
    if (condition(this)) {
      return Promise.resolve(this);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { stop(); reject(new Error('The replica did not reach the condition in time.')); }, timeoutMs);
      const stop = this.onChanged(() => {
        if (condition(this)) {
          clearTimeout(timer);
          stop();
          resolve(this);
        }
      });
    });
  }

  /** @param {SnapshotMessage} message */
  #applySnapshot(message) {
    this.#items = new Map(message.items.map((i) => [i.id, i]));
    this.#revision = message.revision;
    this.#hasSnapshot = true;
    this.#emit(null);
  }

  /** @param {ChangesMessage} message */
  #applyChanges(message) {
    const fresh = message.events.filter((e) => e.revision > this.#revision);
    for (const change of fresh) {
      if (change.kind === 'deleted' || !change.matches) {
        this.#items.delete(change.item.id);
      } else {
        this.#items.set(change.item.id, change.item);
      }
      this.#revision = change.revision;
    }
    if (fresh.length > 0) {
      this.#emit(fresh);
    }
  }

  /**
   * Value changes of the subscription (compact entries): the value and revision of an item held
   * change; an item not held does not match the pattern and is left out.
   * @param {ValuesMessage} message
   */
  #applyValues(message) {
    const events = [];
    for (const [itemId, revision, value] of message.values) {
      if (revision <= this.#revision) {
        continue;
      }
      this.#revision = revision;
      const changed = this.#setValue(itemId, value, revision);
      if (changed) {
        events.push(changed);
      }
    }
    if (events.length > 0) {
      this.#emit(events);
    }
  }

  /**
   * A value this client set was applied at the revision (the server does not send a connection its
   * own values back): the item held takes it, unless it holds a later state already. The
   * subscription's revision stays: the value came by another way than its messages.
   * @param {string} itemId @param {unknown} value @param {number} revision
   */
  #applyOwnValue(itemId, value, revision) {
    const changed = this.#setValue(itemId, value, revision);
    if (changed) {
      this.#emit([changed]);
    }
  }

  /** @param {string} itemId @param {unknown} value @param {number} revision @returns {WireEvent | null} */
  #setValue(itemId, value, revision) {
    const held = this.#items.get(itemId);
    if (!held || held.revision >= revision) {
      return null;
    }
    const item = { ...held, fields: withValue(held.fields, value), revision };
    this.#items.set(itemId, item);
    return { revision, kind: 'updated', reason: null, item, matches: true };
  }

  /** @param {WireEvent[] | null} events */
  #emit(events) {
    for (const listener of [...this.#listeners]) {
      try {
        listener(events, this);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
