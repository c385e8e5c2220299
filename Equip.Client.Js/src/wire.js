// @ts-check
/**
 * The hub's names and its messages as both protocols deliver them, made alike: MessagePack
 * carries times as [timestamp, offsetMinutes] (the timestamp read as a Date), JSON as ISO
 * strings; both become ISO strings here, and revisions numbers.
 */

/**
 * The hub's path, its methods and the callbacks it makes (docs/protocol.md; Equip.Protocol's
 * HubNames): the one place the client spells them.
 */
export const HubNames = Object.freeze({
  /** The hub's path on the server. */
  path: '/hubs/dataspace',
  // Hub methods.
  register: 'Register',
  add: 'Add',
  update: 'Update',
  /** Sent without an invocation id; answered by a ValuesApplied callback. */
  setValues: 'SetValues',
  delete: 'Delete',
  renewLease: 'RenewLease',
  get: 'Get',
  query: 'Query',
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
  reassert: 'Reassert',
  syncComplete: 'SyncComplete',
  // Client callbacks.
  snapshot: 'Snapshot',
  changes: 'Changes',
  values: 'Values',
  valuesApplied: 'ValuesApplied',
});

/**
 * The item types of the component layer (docs/components.md; Equip.Protocol's Ect): the one place
 * the client spells them.
 */
export const EctTypes = Object.freeze({
  container: 'ect.Container',
  capability: 'ect.Capability',
  component: 'ect.Component',
  property: 'ect.Property',
  componentRequest: 'ect.ComponentRequest',
  link: 'ect.Link',
  constant: 'ect.Constant',
});

/** @typedef {import('../types/index.js').WireItem} WireItem */
/** @typedef {import('../types/index.js').WireEvent} WireEvent */
/** @typedef {import('../types/index.js').WirePattern} WirePattern */

/**
 * @typedef {object} SnapshotMessage
 * @property {string} subscriptionId
 * @property {number} revision
 * @property {WireItem[]} items
 * @property {boolean} resynchronised
 */

/**
 * @typedef {object} ChangesMessage
 * @property {string} subscriptionId
 * @property {WireEvent[]} events
 */

/**
 * A subscription's value changes (compactValues): entries [itemId, revision, value].
 * @typedef {object} ValuesMessage
 * @property {string} subscriptionId
 * @property {Array<[string, number, unknown]>} values
 */

/**
 * @typedef {object} ValueRefusal
 * @property {number} sequence the SetValues it was in
 * @property {number | null} index its place in that call; null when the whole call was refused
 * @property {string} code
 * @property {string} message
 */

/**
 * The server applied (or refused) the connection's SetValues through `sequence`.
 * @typedef {object} ValuesAppliedMessage
 * @property {number} sequence
 * @property {number[]} revisions one per value of every call covered, in order; 0 for a refused one
 * @property {ValueRefusal[]} refused
 */

/** @param {unknown} time @returns {string | null} */
function isoTime(time) {
  if (time == null) {
    return null;
  }
  if (typeof time === 'string') {
    return time;
  }
  if (Array.isArray(time) && time[0] instanceof Date) {
    const offsetMinutes = Number(time[1] ?? 0);
    return new Date(time[0].getTime() - offsetMinutes * 60_000).toISOString();
  }
  return time instanceof Date ? time.toISOString() : String(time);
}

/** @param {any} wire @returns {WireItem} */
export function item(wire) {
  return {
    ...wire,
    revision: Number(wire.revision),
    leaseExpiresAt: isoTime(wire.leaseExpiresAt),
    createdAt: /** @type {string} */ (isoTime(wire.createdAt)),
    updatedAt: /** @type {string} */ (isoTime(wire.updatedAt)),
  };
}

/** @param {any} message @returns {ChangesMessage} */
export function changes(message) {
  return {
    subscriptionId: message.subscriptionId,
    events: message.events.map((/** @type {any} */ e) => ({ ...e, revision: Number(e.revision), item: item(e.item) })),
  };
}

/** @param {any} message @returns {SnapshotMessage} */
export function snapshot(message) {
  return { subscriptionId: message.subscriptionId, revision: Number(message.revision), items: message.items.map(item), resynchronised: !!message.resynchronised };
}

/** @param {any} message @returns {ValuesMessage} */
export function values(message) {
  return {
    subscriptionId: message.subscriptionId,
    values: (message.values ?? []).map((/** @type {any[]} */ v) => [String(v[0]), Number(v[1]), v[2]]),
  };
}

/** @param {any} message @returns {ValuesAppliedMessage} */
export function valuesApplied(message) {
  return {
    sequence: Number(message.sequence),
    revisions: (message.revisions ?? []).map(Number),
    refused: (message.refused ?? []).map((/** @type {any} */ r) => ({
      sequence: Number(r.sequence), index: r.index == null ? null : Number(r.index), code: String(r.code), message: String(r.message ?? ''),
    })),
  };
}

/**
 * A pattern as the hub takes it: absent parts as null.
 * @param {WirePattern} pattern
 */
export function pattern(pattern) {
  return { type: pattern.type, fields: pattern.fields ?? null, responsible: pattern.responsible ?? null };
}

/**
 * An item's fields with its value set (a value change changes only the top-level field `value`).
 * @param {unknown} fields @param {unknown} value @returns {Record<string, unknown>}
 */
export function withValue(fields, value) {
  return { ...(fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? fields : {}), value };
}

/** An item id as the hub reads it: a GUID of 36 characters, 8-4-4-4-12 hex digits. */
const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** @param {unknown} id @returns {id is string} */
export function isItemId(id) {
  return typeof id === 'string' && guidPattern.test(id);
}

/**
 * The most levels of arrays and objects a value may have: SignalR's JSON reader stops at 64, and a
 * value in a SetValues sits 5 levels down (invocation, arguments, request, values, entry). No item
 * can hold a deeper one (Equip:Limits:Items:MaxFieldsDepth is 60 at most, the fields being level 1).
 */
export const maxValueDepth = 59;

/**
 * Why a value cannot travel as a JSON value the same way in both protocols, or null when it can:
 * null, booleans, finite numbers, strings, arrays and plain objects of them, at most maxValueDepth
 * levels deep. The server cannot read a SetValues holding anything else (a NaN, a Date, an
 * undefined) and drops the whole call unacknowledged, or closes the connection: such a value is
 * refused before it is queued.
 * @param {unknown} value @param {number} [depth] levels above it @returns {string | null}
 */
export function jsonValueProblem(value, depth = 0) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a JSON number`;
    case 'object': {
      if (value === null) {
        return null;
      }
      if (depth >= maxValueDepth) {
        return `it is nested more than ${maxValueDepth} levels deep`;
      }
      const prototype = Object.getPrototypeOf(value);
      const entries = Array.isArray(value) ? value : prototype === Object.prototype || prototype === null ? Object.values(value) : null;
      if (!entries) {
        return `a ${value.constructor?.name ?? 'object'} is not a JSON value`;
      }
      for (const entry of entries) {
        const problem = jsonValueProblem(entry, depth + 1);
        if (problem) {
          return problem;
        }
      }
      return null;
    }
    default:
      return `${typeof value} is not a JSON value`;
  }
}

/**
 * A deep equality of JSON values, numbers by value (1 equals 1.0).
 * @param {unknown} a @param {unknown} b @returns {boolean}
 */
export function sameJson(a, b) {
  if (a === b) {
    return true;
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const x = /** @type {Record<string, unknown>} */ (a);
  const y = /** @type {Record<string, unknown>} */ (b);
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && sameJson(x[k], y[k]));
}
