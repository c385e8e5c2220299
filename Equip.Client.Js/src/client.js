import * as signalR from '@microsoft/signalr';
import { Backoff } from './backoff.js';
import { buildConnection, checkKey } from './connection.js';
import { EquipStoppedError, EquipUnauthorizedError, HubErrors, codeOf, keyRefusal, refusal } from './errors.js';
import { OwnedItems } from './owned-items.js';
import { PendingWrites } from './pending-writes.js';
import { Replica } from './replica.js';
import { Signal, sleep, withDeadline } from './signal.js';
import * as wire from './wire.js';

const reassertBatch = 100;

/**
 * A device's connection to an Equip server (docs/protocol.md): it registers with its peer id and
 * a new incarnation per process, reconnects forever with capped jittered backoff, queues its own
 * changes in order while away, keeps replicas of subscriptions current, and after every connect
 * re-asserts the items it is responsible for and says sync complete.
 */
export class EquipClient {
  /**
   * @param {object} options
   * @param {string} options.server the server's address, such as http://localhost:5000
   * @param {string} options.peerId stable across restarts of the device
   * @param {string | (() => string | Promise<string>)} [options.key] the key the server gave this device (a device key,
   *   or the admin key), sent as the connection's access token; a function is asked again at every connect (to rotate it)
   * @param {string} [options.name]
   * @param {boolean} [options.messagePack] use the MessagePack protocol (needs @microsoft/signalr-protocol-msgpack)
   * @param {boolean} [options.webSocketsOnly] connect by WebSocket straight away, without the negotiate request: for a
   *   browser page served from another origin than the server (a WebSocket needs no CORS permission)
   * @param {number} [options.keepAliveMs] how often to ping a quiet connection (3000)
   * @param {number} [options.serverTimeoutMs] how long the server may stay silent; also each connect attempt's deadline (10000)
   * @param {number} [options.initialReconnectDelayMs] (100)
   * @param {number} [options.maxReconnectDelayMs] (5000)
   * @param {number} [options.maxQueuedChanges] (10000)
   * @param {object} [options.logger] a SignalR logger or log level (errors only by default)
   */
  constructor(options) {
    if (!options?.server || !options?.peerId) {
      throw new TypeError('EquipClient needs options.server and options.peerId.');
    }
    checkKey(options.key);
    this.options = {
      name: options.peerId,
      messagePack: false,
      webSocketsOnly: false,
      keepAliveMs: 3000,
      serverTimeoutMs: 10_000,
      initialReconnectDelayMs: 100,
      maxReconnectDelayMs: 5000,
      maxQueuedChanges: 10_000,
      logger: signalR.LogLevel.None,
      ...options,
    };
    if (this.options.keepAliveMs >= this.options.serverTimeoutMs) {
      throw new RangeError('keepAliveMs must be shorter than serverTimeoutMs.');
    }
    this.peerId = options.peerId;
    this.incarnation = randomId().replaceAll('-', '');
    this.state = 'stopped';
    this.sessionPresent = false;
    this.pending = new PendingWrites(this.options.maxQueuedChanges);
    this.owned = new OwnedItems(options.peerId);
    /** @type {Map<string, Replica>} */
    this.replicas = new Map();
    this.unsubscribed = new Set();
    this.stateListeners = new Set();
    this.work = new Signal();
    this.backoff = new Backoff(this.options.initialReconnectDelayMs, this.options.maxReconnectDelayMs);
    this.connection = null;
    this.closedBy = null;
    this.ended = null;
    this.stopped = false;
    this.loop = null;
    this.subscriptions = 0;
  }

  /** Starts connecting; returns at once. */
  start() {
    if (this.loop) {
      throw new Error('The client has started already.');
    }
    this.loop = this.run();
    return this;
  }

  /** Stops: pending writes fail, the connection closes. */
  async stop() {
    this.stopped = true;
    this.work.signal();
    await this.loop;
    this.pending.failAll(new EquipStoppedError('The client was stopped.'));
    this.setState('stopped', null);
  }

  /**
   * Calls back with { state, sessionPresent, error } when the state changes: connecting,
   * connected (after re-assertion and sync complete), fenced, unauthorized (the server refused the
   * key: error is an EquipUnauthorizedError), stopped.
   */
  onStateChanged(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Resolves once the client is connected (caught up after a connect). */
  waitUntilConnected(timeoutMs = 30_000) {
    if (this.state === 'connected') {
      return Promise.resolve();
    }
    if (this.ended) {
      return Promise.reject(this.ended); // fenced or unauthorized: for good
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

  /** How many own changes wait for the server. */
  get pendingChanges() {
    return this.pending.count;
  }

  /**
   * Adds an item with this peer as responsible (or re-adds the item with the given id); resolves
   * once it is stored. Give your own id to make a resend harmless.
   * @param {{ id?: string, type: string, fields?: object, processBound?: boolean, leaseSeconds?: number }} request
   */
  add(request) {
    const argument = { id: request.id ?? randomId(), type: request.type, fields: request.fields ?? {},
      processBound: request.processBound ?? false, leaseSeconds: request.leaseSeconds ?? null };
    return this.write('Add', argument, argument.id, false);
  }

  /** @param {{ id: string, type?: string, fields: object, expectedRevision?: number, leaseSeconds?: number, unreliable?: boolean }} request */
  update(request) {
    const argument = { type: null, expectedRevision: null, leaseSeconds: null, unreliable: false, ...request };
    return this.write('Update', argument, request.id, argument.unreliable && argument.expectedRevision == null);
  }

  /** @param {string} id @param {number} [expectedRevision] */
  delete(id, expectedRevision) {
    return this.write('Delete', { id, expectedRevision: expectedRevision ?? null }, id, false);
  }

  /** @param {string} id @param {number} [leaseSeconds] */
  renewLease(id, leaseSeconds) {
    return this.write('RenewLease', { id, leaseSeconds: leaseSeconds ?? null }, id, false);
  }

  /** Reads an item now (the client must be connected). */
  async get(id) {
    const found = await this.live().invoke('Get', id).catch(this.refused);
    return found ? wire.item(found) : null;
  }

  /** @param {{ type: string, fields?: object, responsible?: string }} pattern @param {{ after?: string, limit?: number }} [page] */
  async query(pattern, page = {}) {
    const items = await this.live().invoke('Query', { pattern: wirePattern(pattern), after: page.after ?? null, limit: page.limit ?? null }).catch(this.refused);
    return items.map(wire.item);
  }

  /**
   * A replica of the items matching the pattern, kept current (also across reconnections).
   * @param {{ type: string, fields?: object, responsible?: string }} pattern
   */
  subscribe(pattern) {
    const replica = new Replica(`s${++this.subscriptions}`, wirePattern(pattern));
    this.replicas.set(replica.subscriptionId, replica);
    this.unsubscribed.add(replica);
    this.work.signal();
    return replica;
  }

  /** Deletes an own item, treating "already gone" as done (the server may have removed it). */
  async deleteOwn(id, expectedRevision) {
    try {
      await this.delete(id, expectedRevision);
    } catch (error) {
      if (error.code !== HubErrors.notFound) {
        throw error;
      }
    }
  }

  // ---- the session loop

  async run() {
    while (!this.stopped) {
      try {
        if (!this.connection) {
          this.setState('connecting', null);
          await this.connect();
          this.backoff.reset();
          continue;
        }
        if (!(await this.nextStep())) {
          await this.work.wait();
        }
      } catch (error) {
        if (this.stopped) {
          break;
        }
        await this.dropConnection();
        const end = this.ending(error);
        if (end) {
          this.ended = end.error;
          this.pending.failAll(end.error);
          this.setState(end.state, end.error);
          return;
        }
        this.setState('connecting', error);
        await Promise.race([sleep(this.backoff.next()), this.work.wait()]);
      }
    }
    await this.dropConnection();
  }

  /**
   * The state a failure ends the client in, with the error its writes fail with: fenced (a newer
   * process took the peer id), unauthorized (the server refused the key); null to reconnect.
   * A call cut short by the server's Close fails with the Close's error; the Close itself is looked at too.
   */
  ending(error) {
    for (const cause of [error, this.closedBy]) {
      if (codeOf(cause?.message) === HubErrors.staleIncarnation) {
        return { state: 'fenced', error: new EquipStoppedError(`Fenced: a newer process took peer id '${this.peerId}'.`, cause) };
      }
      const refused = keyRefusal(cause);
      if (refused) {
        return { state: 'unauthorized', error: refused };
      }
    }
    return null;
  }

  async connect() {
    const connection = await buildConnection(this.options);
    connection.on('Snapshot', (m) => this.onSnapshot(wire.snapshot(m)));
    connection.on('Changes', (m) => this.onChanges(wire.changes(m)));
    connection.onclose((error) => {
      if ([HubErrors.staleIncarnation, HubErrors.keyRevoked].includes(codeOf(error?.message))) {
        this.closedBy = error; // for good: the session loop stops on it
      }
      this.work.signal();
    });
    this.connection = connection;
    // A connect into a network that drops packets silently would hang: opening the connection has
    // a deadline. Register does not: it is a write that may wait its turn on a busy server.
    await withDeadline(connection.start(), this.options.serverTimeoutMs, 'Connecting');
    const registration = await connection.invoke('Register', { peerId: this.peerId, incarnation: this.incarnation, name: this.options.name })
      .catch((error) => {
        throw codeOf(error?.message) === HubErrors.forbidden
          ? new EquipUnauthorizedError(error.message, { code: HubErrors.forbidden, cause: error }) // the key may not register this peer id
          : error;
      });
    this.sessionPresent = registration.sessionPresent;
    for (const replica of this.replicas.values()) {
      this.unsubscribed.add(replica);
    }
    this.needsReassert = true;
    this.needsSync = true;
  }

  async dropConnection() {
    const connection = this.connection;
    this.connection = null;
    if (connection) {
      await connection.stop().catch(() => {});
    }
  }

  /** One step of catching up after a connect, or one queued write; false when there is nothing to do. */
  async nextStep() {
    const connection = this.live();
    const replica = this.unsubscribed.values().next().value;
    if (replica) {
      await connection.invoke('Subscribe', {
        subscriptionId: replica.subscriptionId,
        pattern: replica.pattern,
        fromRevision: replica.hasSnapshot ? replica.revision : null,
      });
      this.unsubscribed.delete(replica);
      return true;
    }
    if (this.needsReassert) {
      await this.reassert(connection);
      this.needsReassert = false;
      return true;
    }
    const write = this.pending.head();
    if (write) {
      await this.send(connection, write);
      return true;
    }
    if (this.needsSync) {
      await connection.invoke('SyncComplete');
      this.needsSync = false;
      this.setState('connected', null);
      return true;
    }
    return false;
  }

  /** Re-asserts the acknowledged state of every own item not about to be deleted, in batches. */
  async reassert(connection) {
    const owned = this.owned.reassertion(this.pending.deleting());
    for (let start = 0; start < owned.length; start += reassertBatch) {
      const batch = owned.slice(start, start + reassertBatch);
      const stored = new Map((await connection.invoke('Reassert', batch)).map((i) => [i.id, wire.item(i)]));
      this.owned.reasserted(batch, stored);
    }
  }

  async send(connection, write) {
    let result;
    try {
      result = await connection.invoke(write.method, write.argument);
    } catch (error) {
      const refused = refusal(error);
      if (!refused || [HubErrors.stopping, HubErrors.outcomeUnknown, HubErrors.staleIncarnation, HubErrors.keyRevoked].includes(refused.code)) {
        throw error; // the connection or the server: the write stays queued and goes again (or fails as the client ends)
      }
      this.pending.shift();
      if (write.method === 'Delete' && refused.code === HubErrors.notFound && this.owned.has(write.itemId)) {
        this.owned.forget(write.itemId); // an own item the server removed meanwhile: deleted all the same
        write.resolve(null);
        return;
      }
      write.reject(refused);
      return;
    }
    this.pending.shift();
    if (write.method === 'Delete') {
      this.owned.forget(write.itemId);
      write.resolve(null);
      return;
    }
    const item = wire.item(result);
    this.owned.adopt(item, write.argument.leaseSeconds);
    write.resolve(item);
  }

  write(method, argument, itemId, squashable) {
    if (this.stopped || this.state === 'fenced' || this.state === 'unauthorized') {
      const message = `The client is ${this.state}; nothing more is sent.`;
      return Promise.reject(this.state === 'unauthorized' ? new EquipUnauthorizedError(message, { status: this.ended.status, code: this.ended.code, cause: this.ended }) : new EquipStoppedError(message));
    }
    const done = this.pending.enqueue({ method, argument, itemId, squashable });
    this.work.signal();
    return done;
  }

  onSnapshot(message) {
    this.owned.adoptSeen(message.items);
    this.replicas.get(message.subscriptionId)?.applySnapshot(message);
  }

  onChanges(message) {
    this.owned.adoptSeen(message.events.filter((e) => e.kind !== 'deleted').map((e) => e.item));
    this.replicas.get(message.subscriptionId)?.applyChanges(message);
  }

  live() {
    const connection = this.connection;
    if (!connection || connection.state !== signalR.HubConnectionState.Connected) {
      throw this.closedBy ?? new Error('The client is not connected.');
    }
    return connection;
  }

  refused = (error) => {
    throw refusal(error) ?? error;
  };

  setState(state, error) {
    if (state === this.state && !error) {
      return;
    }
    this.state = state;
    for (const listener of [...this.stateListeners]) {
      listener({ state, sessionPresent: this.sessionPresent, error });
    }
  }
}

/**
 * A random (version 4) UUID. crypto.randomUUID exists only in secure contexts, and a kiosk page
 * served over plain http from the server's LAN address is not one; getRandomValues is everywhere.
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

function wirePattern(pattern) {
  return { type: pattern.type, fields: pattern.fields ?? null, responsible: pattern.responsible ?? null };
}
