import { EquipQueueFullError } from './errors.js';

/**
 * The client's own changes waiting for the server, in order, bounded. A newer unreliable update
 * of an item (without expectedRevision) takes the place of one still waiting behind the head
 * (which may be on its way already) and answers its caller: a device back from an outage sends
 * each property's latest value once instead of every value it produced meanwhile.
 */
export class PendingWrites {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Array<Write>} */
    this.writes = [];
  }

  get count() {
    return this.writes.length;
  }

  /**
   * @param {{ method: string, argument: any, itemId: string | null, squashable: boolean }} request
   * @returns {Promise<any>}
   */
  enqueue(request) {
    const replaced = request.squashable
      ? this.writes.findIndex((w, i) => i > 0 && w.squashable && w.itemId === request.itemId)
      : -1;
    if (replaced < 0 && this.writes.length >= this.capacity) {
      return Promise.reject(new EquipQueueFullError(this.capacity));
    }
    const write = new Write(request);
    if (replaced >= 0) {
      const [old] = this.writes.splice(replaced, 1);
      write.done.then(old.resolve, old.reject);
    }
    this.writes.push(write);
    return write.done;
  }

  /** @returns {Write | undefined} */
  head() {
    return this.writes[0];
  }

  /** Removes the head once it is answered. */
  shift() {
    this.writes.shift();
  }

  /** The ids of items with a queued delete. */
  deleting() {
    return new Set(this.writes.filter((w) => w.method === 'Delete').map((w) => w.itemId));
  }

  /** @param {Error} error */
  failAll(error) {
    for (const write of this.writes.splice(0)) {
      write.reject(error);
    }
  }
}

class Write {
  constructor({ method, argument, itemId, squashable }) {
    this.method = method;
    this.argument = argument;
    this.itemId = itemId;
    this.squashable = squashable;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
