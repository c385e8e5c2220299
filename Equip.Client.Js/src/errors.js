/** The codes a refusal carries (docs/protocol.md, Errors). */
export const HubErrors = Object.freeze({
  notRegistered: 'not-registered',
  alreadyRegistered: 'already-registered',
  duplicateSubscription: 'duplicate-subscription',
  invalid: 'invalid',
  notFound: 'not-found',
  revisionMismatch: 'revision-mismatch',
  noLease: 'no-lease',
  compacted: 'compacted',
  staleIncarnation: 'stale-incarnation',
  replaced: 'replaced',
  stopping: 'stopping',
  outcomeUnknown: 'outcome-unknown',
});

const codePattern = new RegExp(`(?<![a-z-])(${Object.values(HubErrors).join('|')}): `);

/**
 * The code in a hub error's or a Close's text, whatever precedes it, or null.
 * @param {string | undefined | null} text
 * @returns {string | null}
 */
export function codeOf(text) {
  const match = text ? codePattern.exec(text) : null;
  return match ? match[1] : null;
}

/** The server refused a request; `code` is the protocol's error code. */
export class EquipRefusedError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'EquipRefusedError';
    this.code = code;
  }
}

/** A write was not queued because the queue of changes waiting for the server is full. */
export class EquipQueueFullError extends Error {
  /** @param {number} capacity */
  constructor(capacity) {
    super(`${capacity} changes are already waiting for the server (maxQueuedChanges); this one was not queued.`);
    this.name = 'EquipQueueFullError';
  }
}

/** The client was stopped, or fenced off by a newer process with the same peer id. */
export class EquipStoppedError extends Error {
  /** @param {string} message @param {Error} [cause] */
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'EquipStoppedError';
  }
}

/** Turns a failed invocation into an EquipRefusedError when it carries a code. */
export function refusal(error) {
  const code = codeOf(error?.message);
  return code ? new EquipRefusedError(code, error.message) : null;
}
