// @ts-check
import { withValue } from './wire.js';

/** @typedef {import('../types/index.js').WireItem} WireItem */

/**
 * An own item as the server last acknowledged or showed it, with the lease it was given; `value`
 * holds a value acknowledged after the item's fields were (written into them when re-asserted).
 * @typedef {object} OwnedItem
 * @property {WireItem} item
 * @property {number | null} leaseSeconds
 * @property {{ value: unknown } | null} value
 */

/**
 * @typedef {object} ReassertedItem
 * @property {string} id
 * @property {string} type
 * @property {unknown} fields
 * @property {boolean} processBound
 * @property {number | null} leaseSeconds
 * @property {number} knownRevision
 */

/**
 * The items this peer is responsible for, as the server last acknowledged or showed them, with
 * the lease each was given: what the client re-asserts after every connect.
 */
export class OwnedItems {
  /** @type {string} */ #peerId;
  /** @type {Map<string, OwnedItem>} */ #items;

  /** @param {string} peerId */
  constructor(peerId) {
    this.#peerId = peerId;
    this.#items = new Map();
  }

  /** @param {string} id */
  has(id) {
    return this.#items.has(id);
  }

  /** The revision the client last saw of an own item, if it holds it. @param {string} id */
  revisionOf(id) {
    return this.#items.get(id)?.item.revision;
  }

  /** @param {string} id */
  forget(id) {
    this.#items.delete(id);
  }

  /**
   * A write's answer: kept while this peer is responsible for the item.
   * @param {WireItem} item @param {number | null | undefined} leaseSeconds
   */
  adopt(item, leaseSeconds) {
    if (item.responsible === this.#peerId) {
      this.#items.set(item.id, { item, leaseSeconds: leaseSeconds ?? this.#items.get(item.id)?.leaseSeconds ?? null, value: null });
    } else {
      this.#items.delete(item.id);
    }
  }

  /**
   * Own items that another peer changed, as a subscription shows them: a re-assertion states what
   * the server last had, so that a restored item does not bring back a value that was replaced.
   * @param {Iterable<WireItem>} items
   */
  adoptSeen(items) {
    for (const item of items) {
      const own = this.#items.get(item.id);
      if (own && item.responsible === this.#peerId && item.revision > own.item.revision) {
        this.#items.set(item.id, { item, leaseSeconds: own.leaseSeconds, value: null });
      }
    }
  }

  /**
   * An own item's value, set by this client (acknowledged) or by someone else (a link, REST, as a
   * subscription's Values show it), at the revision; older than what is held, it is ignored.
   * @param {string} id @param {unknown} value @param {number} revision
   */
  valueSeen(id, value, revision) {
    const own = this.#items.get(id);
    if (own && own.item.revision < revision) {
      this.#items.set(id, { item: { ...own.item, revision }, leaseSeconds: own.leaseSeconds, value: { value } });
    }
  }

  /**
   * What Reassert sends: every own item not about to be deleted, in the state last seen.
   * @param {Set<string>} deleting @returns {ReassertedItem[]}
   */
  reassertion(deleting) {
    return [...this.#items.values()].filter((o) => !deleting.has(o.item.id)).map((o) => ({
      id: o.item.id,
      type: o.item.type,
      fields: o.value ? withValue(o.item.fields, o.value.value) : o.item.fields,
      processBound: o.item.processBound,
      leaseSeconds: o.leaseSeconds,
      knownRevision: o.item.revision,
    }));
  }

  /**
   * Reassert's answer: the items as stored; one left out, or now another peer's, is forgotten.
   * @param {ReassertedItem[]} batch @param {Map<string, WireItem>} stored
   */
  reasserted(batch, stored) {
    for (const asserted of batch) {
      const item = stored.get(asserted.id);
      if (item) {
        this.adopt(item, asserted.leaseSeconds);
      } else {
        this.#items.delete(asserted.id);
      }
    }
  }
}
