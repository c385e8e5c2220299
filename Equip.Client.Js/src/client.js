// @ts-check
import * as signalR from '@microsoft/signalr';
import { Backoff } from './backoff.js';
import { buildConnection, checkKey } from './connection.js';
import { EquipStoppedError, EquipUnauthorizedError, HubErrors, codeOf, keyRefusal, refusal, serverRestarting } from './errors.js';
import { OwnedItems } from './owned-items.js';
import { PendingWrites, Write } from './pending-writes.js';
import { replicaInternals } from './replica.js';
import { Signal, sleep, withDeadline } from './signal.js';
import * as wire from './wire.js';
import { HubNames } from './wire.js';
import { ClientConnection, WriteSender } from './write-sender.js';

/** @typedef {import('../types/index.js').EquipClientOptions} EquipClientOptions */
/** @typedef {import('../types/index.js').ClientState} ClientState */
/** @typedef {import('../types/index.js').StateChange} StateChange */
/** @typedef {import('../types/index.js').WireItem} WireItem */
/** @typedef {import('../types/index.js').WirePattern} WirePattern */
/** @typedef {import('../types/index.js').AddRequest} AddRequest */
/** @typedef {import('../types/index.js').UpdateRequest} UpdateRequest */
/** @typedef {import('./replica.js').Replica} Replica */
/** @typedef {import('./owned-items.js').ReassertedItem} ReassertedItem */
/** @typedef {Required<Omit<EquipClientOptions, 'key' | 'logger'>> & Pick<EquipClientOptions, 'key'> & { logger: signalR.ILogger | signalR.LogLevel }} Settings */

const reassertBatch = 100;

/**
 * What the component container asks of its client; not part of the package's API (index.js does
 * not export it).
 * @typedef {object} ClientInternals
 * @property {(client: EquipClient, itemId: string, source: () => unknown) => Write} queueValue
 *   queues a value of the item read from the source when it is sent
 * @property {(client: EquipClient, itemId: string) => number | undefined} knownRevision
 *   the revision the client last saw of an own item
 * @property {(client: EquipClient) => number} valuesQueuedPerItem
 *   how many values of an item may wait to be sent now (the option of that name, or one once the
 *   queue is half full)
 */

/** @type {ClientInternals} */
export let clientInternals;

/**
 * A device's connection to an Equip server (docs/protocol.md): it registers with its peer id and
 * a new incarnation per process, reconnects forever with capped jittered backoff, queues its own
 * changes in order while away, keeps replicas of subscriptions current, and after every connect
 * re-asserts the items it is responsible for and says sync complete. Values go by the value lane
 * (SetValues), pipelined.
 */
export class EquipClient {
  /** @type {Settings} */ #options;
  /** @type {string} */ #peerId;
  /** @type {string} */ #incarnation;
  /** @type {ClientState} */ #state;
  /** @type {boolean} */ #sessionPresent;
  /** @type {PendingWrites} */ #pending;
  /** @type {OwnedItems} */ #owned;
  /** @type {WriteSender} */ #sender;
  /** @type {Map<string, Replica>} */ #replicas;
  /** @type {Set<Replica>} */ #unsubscribed;
  /** @type {Set<(change: StateChange) => void>} */ #stateListeners;
  /** @type {Signal} */ #work;
  /** @type {Backoff} */ #backoff;
  /** @type {ClientConnection | null} */ #connection;
  /** @type {Error | null} */ #closedBy;
  /** @type {Error | null} */ #ended;
  /** @type {boolean} */ #stopped;
  /** @type {Promise<void> | null} */ #loop;
  /** @type {number} */ #subscriptions;
  /** @type {boolean} */ #needsReassert;
  /** @type {boolean} */ #needsSync;
  /** @type {number} */ #syncAfter;
  /** @type {string[]} the installation's addresses, tried in turn (docs/scaling.md) */ #servers = [];
  /** @type {number} */ #serverIndex = 0;

  static {
    clientInternals = {
      queueValue: (client, itemId, source) => client.#queueValue(itemId, source),
      knownRevision: (client, itemId) => client.#owned.revisionOf(itemId),
      valuesQueuedPerItem: (client) => client.#pending.valuesPerItemNow,
    };
  }

  /** @param {EquipClientOptions} options */
  constructor(options) {
    const servers = [options?.server].flat().filter(Boolean);
    if (servers.length === 0 || !options?.peerId) {
      throw new TypeError('EquipClient needs options.server and options.peerId.');
    }
    checkKey(options.key);
    this.#options = {
      name: options.peerId,
      messagePack: false,
      webSocketsOnly: false,
      keepAliveMs: 3000,
      serverTimeoutMs: 10_000,
      initialReconnectDelayMs: 100,
      maxReconnectDelayMs: 5000,
      restartReconnectDelayMs: 1000,
      maxQueuedChanges: 10_000,
      maxValuesInFlight: 32,
      valuesQueuedPerItem: 4,
      logger: signalR.LogLevel.None,
      ...withoutUndefined(options),
    };
    this.#servers = servers;
    if (this.#options.keepAliveMs >= this.#options.serverTimeoutMs) {
      throw new RangeError('keepAliveMs must be shorter than serverTimeoutMs.');
    }
    if (!(this.#options.maxValuesInFlight >= 1)) {
      throw new RangeError('maxValuesInFlight must be 1 or more.');
    }
    if (!(this.#options.valuesQueuedPerItem >= 1)) {
      throw new RangeError('valuesQueuedPerItem must be 1 or more.');
    }
    this.#peerId = options.peerId;
    this.#incarnation = randomId().replaceAll('-', '');
    this.#state = 'stopped';
    this.#sessionPresent = false;
    this.#pending = new PendingWrites(this.#options.maxQueuedChanges, this.#options.valuesQueuedPerItem);
    this.#owned = new OwnedItems(options.peerId);
    this.#sender = new WriteSender(this.#pending, this.#owned, this.#options.maxValuesInFlight, () => this.#work.signal());
    this.#replicas = new Map();
    this.#unsubscribed = new Set();
    this.#stateListeners = new Set();
    this.#work = new Signal();
    this.#backoff = new Backoff(this.#options.initialReconnectDelayMs, this.#options.maxReconnectDelayMs, this.#options.restartReconnectDelayMs);
    this.#connection = null;
    this.#closedBy = null;
    this.#ended = null;
    this.#stopped = false;
    this.#loop = null;
    this.#subscriptions = 0;
    this.#needsReassert = false;
    this.#needsSync = false;
    this.#syncAfter = 0;
  }

  /** The device's stable id (the `responsible` of the items it adds). */
  get peerId() { return this.#peerId; }

  /** This process's incarnation: new for every client made. */
  get incarnation() { return this.#incarnation; }

  /** connecting, connected, fenced, unauthorized or stopped. */
  get state() { return this.#state; }

  /** Whether the last registration found the session still present (nothing was removed). */
  get sessionPresent() { return this.#sessionPresent; }

  /** The error the client ended with for good (fenced, unauthorized), or null. */
  get ended() { return this.#ended; }

  /** How many own changes wait to be sent or answered. */
  get pendingChanges() {
    return this.#pending.count;
  }

  /** Starts connecting; returns at once. */
  start() {
    if (this.#loop) {
      throw new Error('The client has started already.');
    }
    this.#loop = this.#run();
    return this;
  }

  /** Stops: pending writes fail, the connection closes. */
  async stop() {
    this.#stopped = true;
    this.#work.signal();
    await this.#loop;
    this.#pending.failAll(new EquipStoppedError('The client was stopped.'));
    this.#setState('stopped', null);
  }

  /**
   * Calls back with { state, sessionPresent, error } when the state changes: connecting,
   * connected (after re-assertion and sync complete), fenced, unauthorized (the server refused the
   * key: error is an EquipUnauthorizedError), stopped. Returns a function that unsubscribes.
   * @param {(change: StateChange) => void} listener
   */
  onStateChanged(listener) {
    this.#stateListeners.add(listener);
    return () => { this.#stateListeners.delete(listener); };
  }

  /**
   * Resolves once the client is connected (caught up after a connect).
   * @param {number} [timeoutMs] @returns {Promise<void>}
   */
  waitUntilConnected(timeoutMs = 30_000) {
    if (this.#state === 'connected') {
      return Promise.resolve();
    }
    if (this.#ended) {
      return Promise.reject(this.#ended); // fenced or unauthorized: for good
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error('Not connected in time.')); }, timeoutMs);
      const off = this.onStateChanged(({ state, error }) => {
        if (state === 'connected') {
          clearTimeout(timer); off(); resolve();
        } else if (state === 'fenced' || state === 'unauthorized' || state === 'stopped') {
          clearTimeout(timer); off(); reject(error ?? new EquipStoppedError(`The client is ${state}.`));
        }
      });
    });
  }

  /**
   * Adds an item with this peer as responsible (or re-adds the item with the given id); resolves
   * once it is stored. Give your own id to make a resend harmless.
   * @param {AddRequest} request @returns {Promise<WireItem>}
   */
  add(request) {
    const argument = { id: request.id ?? randomId(), type: request.type, fields: request.fields ?? {},
      processBound: request.processBound ?? false, leaseSeconds: request.leaseSeconds ?? null };
    return this.#write(new Write(HubNames.add, argument, argument.id, { leaseSeconds: argument.leaseSeconds }));
  }

  /**
   * Replaces an item's fields. An unreliable update without expectedRevision may be replaced in the
   * queue by a newer one of the same item.
   * @param {UpdateRequest} request @returns {Promise<WireItem>}
   */
  update(request) {
    const argument = { type: null, expectedRevision: null, leaseSeconds: null, unreliable: false, ...withoutUndefined(request) };
    return this.#write(new Write(HubNames.update, argument, request.id, { leaseSeconds: argument.leaseSeconds }));
  }

  /**
   * Sets an item's value (its top-level field `value`; the other fields stay as they are) by the
   * value lane: sent with the values queued next to it in one SetValues frame, without waiting for
   * the answers to those before it. A newer value of the item queued before this one is sent takes
   * its place, and both resolve with the newer one's revision. Resolves with the revision the value
   * was given; a refusal rejects with EquipRefusedError (code not-found, not-responsible, invalid,
   * limit-reached). An id that is not a GUID, or a value that is no JSON value (a NaN, a Date, an
   * undefined, more than 59 levels deep), rejects with a TypeError and is not sent.
   * @param {string} itemId @param {unknown} value any JSON value @returns {Promise<number>}
   */
  setValue(itemId, value) {
    if (!wire.isItemId(itemId)) {
      return Promise.reject(new TypeError(`setValue needs an item id (a GUID string), not ${JSON.stringify(itemId)}.`));
    }
    const problem = wire.jsonValueProblem(value);
    if (problem) {
      return Promise.reject(new TypeError(`setValue needs a JSON value: ${problem}.`));
    }
    return this.#write(new Write(HubNames.setValues, value, itemId));
  }

  /** @param {string} id @param {number} [expectedRevision] @returns {Promise<null>} */
  delete(id, expectedRevision) {
    return this.#write(new Write(HubNames.delete, { id, expectedRevision: expectedRevision ?? null }, id));
  }

  /** @param {string} id @param {number} [leaseSeconds] @returns {Promise<WireItem>} */
  renewLease(id, leaseSeconds) {
    return this.#write(new Write(HubNames.renewLease, { id, leaseSeconds: leaseSeconds ?? null }, id, { leaseSeconds: leaseSeconds ?? null }));
  }

  /**
   * Reads an item now (the client must be connected).
   * @param {string} id @returns {Promise<WireItem | null>}
   */
  async get(id) {
    const found = await this.#live().hub.invoke(HubNames.get, id).catch(refused);
    return found ? wire.item(found) : null;
  }

  /**
   * One page of the items matching the pattern, in id order (the client must be connected).
   * @param {WirePattern} pattern @param {{ after?: string, limit?: number }} [page] @returns {Promise<WireItem[]>}
   */
  async query(pattern, page = {}) {
    const items = await this.#live().hub.invoke(HubNames.query, { pattern: wire.pattern(pattern), after: page.after ?? null, limit: page.limit ?? null })
      .catch(refused);
    return items.map(wire.item);
  }

  /**
   * A replica of the items matching the pattern, kept current (also across reconnections).
   * @param {WirePattern} pattern @returns {Replica}
   */
  subscribe(pattern) {
    const replica = replicaInternals.create(`s${++this.#subscriptions}`, wire.pattern(pattern));
    this.#replicas.set(replica.subscriptionId, replica);
    this.#unsubscribed.add(replica);
    this.#work.signal();
    return replica;
  }

  /**
   * Deletes an own item, treating "already gone" as done (the server may have removed it).
   * @param {string} id @param {number} [expectedRevision] @returns {Promise<void>}
   */
  async deleteOwn(id, expectedRevision) {
    try {
      await this.delete(id, expectedRevision);
    } catch (error) {
      if (/** @type {any} */ (error)?.code !== HubErrors.notFound) {
        throw error;
      }
    }
  }

  // ---- the session loop

  async #run() {
    while (!this.#stopped) {
      try {
        if (!this.#connection) {
          this.#setState('connecting', null);
          await this.#connect();
          this.#backoff.reset();
          continue;
        }
        if (!(await this.#nextStep(this.#connection))) {
          await this.#work.wait();
        }
      } catch (error) {
        if (this.#stopped) {
          break;
        }
        await this.#dropConnection();
        const end = this.#ending(error);
        if (end) {
          this.#ended = end.error;
          this.#pending.failAll(end.error);
          this.#setState(end.state, end.error);
          return;
        }
        this.#serverIndex = (this.#serverIndex + 1) % this.#servers.length; // the next address, if several
        this.#setState('connecting', /** @type {Error} */ (error));
        await Promise.race([sleep(this.#backoff.next(serverRestarting(error))), this.#work.wait()]);
      }
    }
    await this.#dropConnection();
  }

  /**
   * The state a failure ends the client in, with the error its writes fail with: fenced (a newer
   * process took the peer id), unauthorized (the server refused the key); null to reconnect.
   * A call cut short by the server's Close fails with the Close's error; the Close itself is looked at too.
   * @param {unknown} error @returns {{ state: ClientState, error: Error } | null}
   */
  #ending(error) {
    for (const cause of [error, this.#closedBy]) {
      if (codeOf(/** @type {any} */ (cause)?.message) === HubErrors.staleIncarnation) {
        return { state: 'fenced', error: new EquipStoppedError(`Fenced: a newer process took peer id '${this.#peerId}'.`, cause) };
      }
      const refusedKey = keyRefusal(cause);
      if (refusedKey) {
        return { state: 'unauthorized', error: refusedKey };
      }
    }
    return null;
  }

  async #connect() {
    const hub = await buildConnection({ ...this.#options, server: this.#servers[this.#serverIndex] });
    const connection = new ClientConnection(hub);
    hub.on(HubNames.snapshot, (m) => this.#onSnapshot(wire.snapshot(m)));
    hub.on(HubNames.changes, (m) => this.#onChanges(wire.changes(m)));
    hub.on(HubNames.values, (m) => this.#onValues(wire.values(m)));
    hub.on(HubNames.valuesApplied, (m) => this.#sender.applied(connection, wire.valuesApplied(m), (write, revision) => {
      // The server sends a connection none of its own values: the client applies them itself.
      this.#owned.valueSeen(write.itemId, write.sentValue, revision);
      for (const replica of this.#replicas.values()) {
        if (!concernsValues(replica.pattern)) {
          replicaInternals.applyOwnValue(replica, write.itemId, write.sentValue, revision);
        }
      }
    }));
    hub.onclose((error) => {
      const code = codeOf(error?.message);
      if (code === HubErrors.staleIncarnation || code === HubErrors.keyRevoked) {
        this.#closedBy = /** @type {Error} */ (error); // for good: the session loop stops on it
      }
      this.#work.signal();
    });
    this.#connection = connection;
    // A connect into a network that drops packets silently would hang: opening the connection has
    // a deadline. Register does not: it is a write that may wait its turn on a busy server.
    await withDeadline(hub.start(), this.#options.serverTimeoutMs, 'Connecting');
    const registration = await hub.invoke(HubNames.register, { peerId: this.#peerId, incarnation: this.#incarnation, name: this.#options.name })
      .catch((error) => {
        throw codeOf(error?.message) === HubErrors.forbidden
          ? new EquipUnauthorizedError(error.message, { code: HubErrors.forbidden, cause: error }) // the key may not register this peer id
          : error;
      });
    this.#sessionPresent = !!registration.sessionPresent;
    for (const replica of this.#replicas.values()) {
      this.#unsubscribed.add(replica);
    }
    this.#needsReassert = true;
    this.#needsSync = true;
    this.#syncAfter = this.#pending.lastSequence;
  }

  async #dropConnection() {
    const connection = this.#connection;
    this.#connection = null;
    if (connection) {
      await connection.hub.stop().catch(() => {});
    }
  }

  /**
   * One step of catching up after a connect, or one queued write; false when there is nothing to
   * do now (nothing queued, or the values on their way hold the next write back).
   * @param {ClientConnection} connection @returns {Promise<boolean>}
   */
  async #nextStep(connection) {
    if (connection.hub.state !== signalR.HubConnectionState.Connected) {
      throw this.#closedBy ?? new Error('The connection closed.');
    }
    if (connection.failure) {
      throw connection.failure; // the server stops, or fenced this peer, as a ValuesApplied said
    }
    const replica = this.#unsubscribed.values().next().value;
    if (replica) {
      await connection.hub.invoke(HubNames.subscribe, {
        subscriptionId: replica.subscriptionId,
        pattern: replica.pattern,
        fromRevision: replica.hasSnapshot ? replica.revision : null,
        compactValues: true,
        ownValues: concernsValues(replica.pattern),
      });
      this.#unsubscribed.delete(replica);
      return true;
    }
    if (this.#needsReassert) {
      await this.#reassert(connection.hub);
      this.#needsReassert = false;
      return true;
    }
    // Sync completes once the writes queued before this connect are answered: writes made since
    // (a device streaming values) do not hold it back.
    if (this.#needsSync && !this.#pending.anyUpTo(this.#syncAfter)) {
      await connection.hub.invoke(HubNames.syncComplete);
      this.#needsSync = false;
      this.#setState('connected', null);
      return true;
    }
    return this.#sender.sendNext(connection);
  }

  /**
   * Re-asserts the acknowledged state of every own item not about to be deleted, in batches.
   * @param {signalR.HubConnection} hub
   */
  async #reassert(hub) {
    const owned = this.#owned.reassertion(this.#pending.deleting());
    for (let start = 0; start < owned.length; start += reassertBatch) {
      const batch = owned.slice(start, start + reassertBatch);
      /** @type {any[]} */
      const answer = await hub.invoke(HubNames.reassert, batch);
      this.#owned.reasserted(batch, new Map(answer.map((i) => [i.id, wire.item(i)])));
    }
  }

  /**
   * A value of the item read from the source when it is sent (the component layer keeps up to
   * valuesQueuedPerItem such writes waiting and gives the newest a later value beyond them).
   * @param {string} itemId @param {() => unknown} source
   */
  #queueValue(itemId, source) {
    const write = new Write(HubNames.setValues, undefined, itemId, { source });
    this.#write(write).catch(() => {}); // the caller looks at write.done
    return write;
  }

  /** @param {Write} write @returns {Promise<any>} */
  #write(write) {
    if (this.#stopped || this.#state === 'fenced' || this.#state === 'unauthorized') {
      const message = `The client is ${this.#state}; nothing more is sent.`;
      const ended = /** @type {any} */ (this.#ended);
      const error = this.#state === 'unauthorized'
        ? new EquipUnauthorizedError(message, { status: ended?.status, code: ended?.code, cause: ended })
        : new EquipStoppedError(message);
      write.fail(error);
      return write.done;
    }
    const done = this.#pending.enqueue(write);
    this.#work.signal();
    return done;
  }

  /** @param {import('./wire.js').SnapshotMessage} message */
  #onSnapshot(message) {
    this.#owned.adoptSeen(message.items);
    const replica = this.#replicas.get(message.subscriptionId);
    if (replica) {
      replicaInternals.applySnapshot(replica, message);
    }
  }

  /** @param {import('./wire.js').ChangesMessage} message */
  #onChanges(message) {
    this.#owned.adoptSeen(message.events.filter((e) => e.kind !== 'deleted').map((e) => e.item));
    const replica = this.#replicas.get(message.subscriptionId);
    if (replica) {
      replicaInternals.applyChanges(replica, message);
    }
  }

  /** Values someone else set (a link, REST): of own items too. @param {import('./wire.js').ValuesMessage} message */
  #onValues(message) {
    for (const [itemId, revision, value] of message.values) {
      this.#owned.valueSeen(itemId, value, revision);
    }
    const replica = this.#replicas.get(message.subscriptionId);
    if (replica) {
      replicaInternals.applyValues(replica, message);
    }
  }

  #live() {
    const connection = this.#connection;
    if (!connection || connection.hub.state !== signalR.HubConnectionState.Connected) {
      throw this.#closedBy ?? new Error('The client is not connected.');
    }
    return connection;
  }

  /** @param {ClientState} state @param {Error | null} error */
  #setState(state, error) {
    if (state === this.#state && !error) {
      return;
    }
    this.#state = state;
    for (const listener of [...this.#stateListeners]) {
      listener({ state, sessionPresent: this.#sessionPresent, error });
    }
  }
}

/**
 * Whether the pattern has a field equality on `value`: a value change may then make an item match
 * or stop matching, which only the server can tell. Such a subscription asks for its own values
 * too (ownValues), as whole events (the server sends no compact entries for it), instead of the
 * client applying them.
 * @param {WirePattern} pattern
 */
function concernsValues(pattern) {
  return pattern.fields != null && Object.hasOwn(pattern.fields, 'value');
}

/** @param {unknown} error @returns {never} */
function refused(error) {
  throw refusal(error) ?? error;
}

/**
 * The object without its properties that are undefined (so that they do not hide defaults).
 * @template {object} T @param {T} object @returns {T}
 */
function withoutUndefined(object) {
  return /** @type {T} */ (Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)));
}

/**
 * A random (version 4) UUID. crypto.randomUUID exists only in secure contexts, and a kiosk page
 * served over plain http from the server's LAN address is not one; getRandomValues is everywhere.
 * @returns {string}
 */
export function randomId() {
  if (typeof globalThis.crypto.randomUUID === 'function') {
    return globalThis.crypto.randomUUID();
  }
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
