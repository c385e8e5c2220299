/**
 * A local copy of the items matching a pattern, kept current by the subscription: the snapshot,
 * then every change after its revision. After a reconnection it catches up from the last revision
 * it applied (or is replaced by a resynchronised snapshot).
 */
export class Replica {
  /** @param {string} subscriptionId @param {object} pattern */
  constructor(subscriptionId, pattern) {
    this.subscriptionId = subscriptionId;
    this.pattern = pattern;
    /** @type {Map<string, import('./wire.js').WireItem>} */
    this.items = new Map();
    this.revision = 0;
    this.hasSnapshot = false;
    this.listeners = new Set();
  }

  /** @param {string} id */
  get(id) {
    return this.items.get(id);
  }

  /**
   * Calls back after every snapshot or batch of changes applied, with the events (null for a
   * snapshot). Returns a function that unsubscribes.
   * @param {(events: object[] | null, replica: Replica) => void} listener
   */
  onChanged(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once the condition holds (checked now and after every change).
   * @param {(replica: Replica) => boolean} condition @param {number} [timeoutMs]
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

  applySnapshot(message) {
    this.items = new Map(message.items.map((i) => [i.id, i]));
    this.revision = message.revision;
    this.hasSnapshot = true;
    this.emit(null);
  }

  applyChanges(message) {
    const fresh = message.events.filter((e) => e.revision > this.revision);
    for (const change of fresh) {
      if (change.kind === 'deleted' || !change.matches) {
        this.items.delete(change.item.id);
      } else {
        this.items.set(change.item.id, change.item);
      }
      this.revision = change.revision;
    }
    if (fresh.length > 0) {
      this.emit(fresh);
    }
  }

  emit(events) {
    for (const listener of [...this.listeners]) {
      try {
        listener(events, this);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
