/**
 * The items this peer is responsible for, as the server last acknowledged or showed them, with
 * the lease each was given: what the client re-asserts after every connect.
 */
export class OwnedItems {
  /** @param {string} peerId */
  constructor(peerId) {
    this.peerId = peerId;
    /** @type {Map<string, { item: import('./wire.js').WireItem, leaseSeconds: number | null }>} */
    this.items = new Map();
  }

  has(id) {
    return this.items.has(id);
  }

  /** The revision the client last saw of an own item, if it holds it. */
  revisionOf(id) {
    return this.items.get(id)?.item.revision;
  }

  forget(id) {
    this.items.delete(id);
  }

  /** A write's answer: kept while this peer is responsible for the item. */
  adopt(item, leaseSeconds) {
    if (item.responsible === this.peerId) {
      this.items.set(item.id, { item, leaseSeconds: leaseSeconds ?? this.items.get(item.id)?.leaseSeconds ?? null });
    } else {
      this.items.delete(item.id);
    }
  }

  /** Own items that another peer changed, as a subscription shows them: a re-assertion must not undo that. */
  adoptSeen(items) {
    for (const item of items) {
      const own = this.items.get(item.id);
      if (own && item.responsible === this.peerId && item.revision > own.item.revision) {
        this.items.set(item.id, { item, leaseSeconds: own.leaseSeconds });
      }
    }
  }

  /** What Reassert sends: every own item not about to be deleted, in the state last seen. */
  reassertion(deleting) {
    return [...this.items.values()].filter((o) => !deleting.has(o.item.id)).map((o) => ({
      id: o.item.id, type: o.item.type, fields: o.item.fields, processBound: o.item.processBound,
      leaseSeconds: o.leaseSeconds, knownRevision: o.item.revision,
    }));
  }

  /** Reassert's answer: the items as stored; one left out, or now another peer's, is forgotten. */
  reasserted(batch, stored) {
    for (const asserted of batch) {
      const item = stored.get(asserted.id);
      if (item) {
        this.adopt(item, asserted.leaseSeconds);
      } else {
        this.items.delete(asserted.id);
      }
    }
  }
}
