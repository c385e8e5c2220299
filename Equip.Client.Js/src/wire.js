/**
 * Items as both protocols deliver them, made alike: MessagePack carries times as
 * [timestamp, offsetMinutes] (the timestamp read as a Date), JSON as ISO strings; both become
 * ISO strings here.
 */

/** @param {unknown} time */
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

/**
 * @typedef {object} WireItem
 * @property {string} id
 * @property {string} type
 * @property {any} fields
 * @property {string | null} responsible
 * @property {boolean} processBound
 * @property {string | null} leaseExpiresAt
 * @property {number} revision
 * @property {string} createdAt
 * @property {string} updatedAt
 */

/** @returns {WireItem} */
export function item(wire) {
  return {
    ...wire,
    revision: Number(wire.revision),
    leaseExpiresAt: isoTime(wire.leaseExpiresAt),
    createdAt: isoTime(wire.createdAt),
    updatedAt: isoTime(wire.updatedAt),
  };
}

export function changes(message) {
  return {
    ...message,
    events: message.events.map((e) => ({ ...e, revision: Number(e.revision), item: item(e.item) })),
  };
}

export function snapshot(message) {
  return { ...message, revision: Number(message.revision), items: message.items.map(item) };
}

/** A deep equality of JSON values, numbers by value (1 equals 1.0). */
export function sameJson(a, b) {
  if (a === b) {
    return true;
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && a === b;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}
