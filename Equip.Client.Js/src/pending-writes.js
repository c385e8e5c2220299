// @ts-check
import { EquipQueueFullError } from './errors.js';
import { HubNames } from './wire.js';

/** @typedef {import('../types/index.js').WireItem} WireItem */

/**
 * One of the client's own changes, waiting to be sent in order. A value (SetValues) resolves with
 * the revision it was given, any other write with the item as stored (null for a delete).
 */
export class Write {
  /** @type {string} */ #method;
  /** @type {any} */ #argument;
  /** @type {string} */ #itemId;
  /** @type {number | null} */ #leaseSeconds;
  /** @type {(() => unknown) | null} */ #source;
  /** @type {object | null} */ #carrier;
  /** @type {boolean} */ #retried;
  /** @type {boolean} */ #settled;
  /** @type {boolean} */ #replaced;
  /** @type {Write[] | null} */ #superseded;
  /** @type {unknown} */ #sentValue;
  /** @type {number} */ #sequence;
  /** @type {(result: any) => void} */ #resolve;
  /** @type {(error: unknown) => void} */ #reject;
  /** @type {Promise<any>} */ #done;

  /**
   * @param {string} method a hub method (HubNames)
   * @param {any} argument its argument; for a value, the value
   * @param {string} itemId the item it writes
   * @param {{ leaseSeconds?: number | null, source?: () => unknown }} [details] a value's source is read
   *   when the value is sent (the latest it has then), instead of the argument
   */
  constructor(method, argument, itemId, { leaseSeconds = null, source } = {}) {
    this.#method = method;
    this.#argument = argument;
    this.#itemId = itemId;
    this.#leaseSeconds = leaseSeconds;
    this.#source = source ?? null;
    this.#carrier = null;
    this.#retried = false;
    this.#settled = false;
    this.#replaced = false;
    this.#superseded = null;
    this.#sentValue = undefined;
    this.#sequence = 0;
    this.#resolve = () => {};
    this.#reject = () => {};
    this.#done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get method() { return this.#method; }

  get argument() { return this.#argument; }

  get itemId() { return this.#itemId; }

  get leaseSeconds() { return this.#leaseSeconds; }

  /** Resolves with the revision (a value), the item as stored, or null (a delete). */
  get done() { return this.#done; }

  get isDelete() { return this.#method === HubNames.delete; }

  /** A value of the item (SetValues): sent in a frame with the values queued next to it. */
  get isValue() { return this.#method === HubNames.setValues; }

  /**
   * A value, or an unreliable update without a revision check: a newer one of the same item
   * may take its place while it waits, once a few of the item wait (a receiver that lags gets only
   * a few of an item anyway, the last the latest).
   */
  get isSquashable() {
    return this.isValue || (this.#method === HubNames.update && this.#argument.unreliable === true && this.#argument.expectedRevision == null);
  }

  /** Queued and not on its way, nor answered, nor replaced: a value set now still goes with it. */
  get isWaiting() { return this.#carrier === null && !this.#settled && !this.#replaced; }

  /** The connection it is on its way over, or null. */
  get carrier() { return this.#carrier; }

  set carrier(carrier) { this.#carrier = carrier; }

  /** Its place in the order writes were queued in. */
  get sequence() { return this.#sequence; }

  set sequence(sequence) { this.#sequence = sequence; }

  /** Sent at least once: its outcome on the server may already have happened. */
  get retried() { return this.#retried; }

  /** The value as last sent. */
  get sentValue() { return this.#sentValue; }

  markSent() {
    this.#retried = true;
  }

  /** Reads the value to send now: the one given, or the source's latest. */
  takeValue() {
    this.#sentValue = this.#source ? this.#source() : this.#argument;
    return this.#sentValue;
  }

  /**
   * Takes the place of an older queued write of the same item, which is answered with this one, as
   * are those it had taken the place of (the list stays flat however long the chain).
   * @param {Write} older
   */
  supersede(older) {
    older.#replaced = true;
    const replaced = older.#superseded ?? [];
    older.#superseded = null;
    replaced.push(older);
    if (this.#superseded) {
      this.#superseded.push(...replaced);
    } else {
      this.#superseded = replaced;
    }
  }

  /** @param {any} result */
  succeed(result) {
    this.#settled = true;
    this.#resolve(result);
    for (const older of this.#superseded ?? []) {
      older.succeed(result);
    }
  }

  /** @param {unknown} error */
  fail(error) {
    this.#settled = true;
    this.#reject(error);
    for (const older of this.#superseded ?? []) {
      older.fail(error);
    }
  }
}

/**
 * The client's own changes not yet answered, in the order they were made, bounded. Up to
 * valuesPerItem values (or unreliable updates) of an item wait, not yet on their way (one, once the
 * queue is half full, so that values never fill it where one per item would not); a newer one
 * takes the place of the newest of them and answers its caller: a device back from an outage sends
 * a few values of each property, the last of them the latest, instead of every value it produced
 * meanwhile. A write on its way is marked with the connection carrying it; one whose connection
 * broke goes again on the next.
 */
export class PendingWrites {
  /** @type {number} */ #capacity;
  /** @type {number} */ #valuesPerItem;
  /** @type {Set<Write>} */ #writes;
  /** @type {Map<string, Write>} */ #lastOf;
  /** @type {Map<string, number>} squashable writes not on their way, per item */ #waitingOf;
  /** @type {number} */ #sequence;
  /** @type {unknown} */ #stoppedBy;

  /** @param {number} capacity @param {number} valuesPerItem */
  constructor(capacity, valuesPerItem) {
    this.#capacity = capacity;
    this.#valuesPerItem = valuesPerItem;
    this.#writes = new Set(); // in order: a Set keeps insertion order, and removes in O(1)
    this.#lastOf = new Map();
    this.#waitingOf = new Map();
    this.#sequence = 0;
    this.#stoppedBy = null;
  }

  get count() {
    return this.#writes.size;
  }

  /** How many values of an item may wait now: valuesQueuedPerItem, or one once the queue is half full. */
  get valuesPerItemNow() {
    return this.#writes.size * 2 >= this.#capacity ? 1 : this.#valuesPerItem;
  }

  /** The sequence number of the latest write queued so far. */
  get lastSequence() {
    return this.#sequence;
  }

  /**
   * Queues the write (or rejects: the queue is full, or the client stopped for good).
   * @param {Write} write @returns {Promise<any>}
   */
  enqueue(write) {
    if (this.#stoppedBy) {
      write.fail(this.#stoppedBy);
      return write.done;
    }
    const older = write.isSquashable ? this.#lastOf.get(write.itemId) : undefined;
    const replaces = older !== undefined && older.isSquashable && older.method === write.method && older.carrier === null
      && (this.#waitingOf.get(write.itemId) ?? 0) >= this.valuesPerItemNow;
    if (!replaces && this.#writes.size >= this.#capacity) {
      write.fail(new EquipQueueFullError(this.#capacity));
      return write.done;
    }
    if (replaces) {
      this.#writes.delete(older); // one waiting write takes another's place: as many wait
      write.supersede(older);
    } else {
      this.#countWaiting(write, 1);
    }
    write.sequence = ++this.#sequence;
    this.#writes.add(write);
    this.#lastOf.set(write.itemId, write);
    return write.done;
  }

  /** Whether a write queued at or before the sequence number is still unanswered. @param {number} sequence */
  anyUpTo(sequence) {
    const first = this.#writes.values().next();
    return !first.done && first.value.sequence <= sequence;
  }

  /** The first write not on its way over this connection. @param {object} carrier @returns {Write | undefined} */
  next(carrier) {
    for (const write of this.#writes) {
      if (write.carrier !== carrier) {
        return write;
      }
    }
    return undefined;
  }

  /**
   * The values queued next to one another from the first write not on its way over this
   * connection (at most max), marked as on their way over it: one SetValues frame.
   * @param {object} carrier @param {number} max @returns {Write[]}
   */
  takeValues(carrier, max) {
    const frame = [];
    let started = false;
    for (const write of this.#writes) {
      if (!started && write.carrier === carrier) {
        continue;
      }
      started = true;
      if (!write.isValue || frame.length >= max) {
        break;
      }
      this.#carry(write, carrier);
      frame.push(write);
    }
    return frame;
  }

  /** @param {Write} write @param {object} carrier */
  sending(write, carrier) {
    this.#carry(write, carrier);
  }

  /** The write was not applied over this connection: it goes again. @param {Write} write @param {object} carrier */
  notSent(write, carrier) {
    if (write.carrier === carrier) {
      write.carrier = null;
      this.#countWaiting(write, 1);
    }
  }

  /** Removes an answered write. @param {Write} write */
  remove(write) {
    if (this.#writes.delete(write) && write.carrier === null) {
      this.#countWaiting(write, -1);
    }
    if (this.#lastOf.get(write.itemId) === write) {
      this.#lastOf.delete(write.itemId);
    }
  }

  /** The ids of items with a queued delete (not to be re-asserted). */
  deleting() {
    return new Set([...this.#writes].filter((w) => w.isDelete).map((w) => w.itemId));
  }

  /** Fails every queued write, and every later one: the client has stopped for good. @param {unknown} error */
  failAll(error) {
    this.#stoppedBy = error;
    const writes = [...this.#writes];
    this.#writes.clear();
    this.#lastOf.clear();
    this.#waitingOf.clear();
    for (const write of writes) {
      write.fail(error);
    }
  }

  /** Marks the write as on its way over the connection. @param {Write} write @param {object} carrier */
  #carry(write, carrier) {
    if (write.carrier === null) {
      this.#countWaiting(write, -1);
    }
    write.carrier = carrier;
  }

  /** @param {Write} write @param {number} change */
  #countWaiting(write, change) {
    if (!write.isSquashable) {
      return;
    }
    const waiting = (this.#waitingOf.get(write.itemId) ?? 0) + change;
    if (waiting > 0) {
      this.#waitingOf.set(write.itemId, waiting);
    } else {
      this.#waitingOf.delete(write.itemId);
    }
  }
}
