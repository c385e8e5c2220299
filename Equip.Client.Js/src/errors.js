// @ts-check
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
  forbidden: 'forbidden',
  notResponsible: 'not-responsible',
  owned: 'owned',
  keyRevoked: 'key-revoked',
  clientTimeout: 'client-timeout',
  rateLimited: 'rate-limited',
  limitReached: 'limit-reached',
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

/**
 * The client was stopped, or fenced off by a newer process with the same peer id (or refused its
 * key: EquipUnauthorizedError).
 */
export class EquipStoppedError extends Error {
  /** @param {string} message @param {unknown} [cause] */
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'EquipStoppedError';
  }
}

/**
 * The server refused the client's key: none was given, it is unknown or revoked, or it may not
 * register this peer id. The client has stopped for good (state `unauthorized`): it takes a valid
 * key and a new EquipClient. `status` is the HTTP status (401, 403) when the connect was refused,
 * `code` the hub's error code (`forbidden` at Register, `key-revoked` in a Close) otherwise.
 */
export class EquipUnauthorizedError extends EquipStoppedError {
  /** @param {string} message @param {{ status?: number | null, code?: string | null, cause?: unknown }} [details] */
  constructor(message, { status, code, cause } = {}) {
    super(message, cause);
    this.name = 'EquipUnauthorizedError';
    /** @type {number | null} */
    this.status = status ?? null;
    /** @type {string | null} */
    this.code = code ?? null;
  }
}

/**
 * The error as an EquipUnauthorizedError when it says the server refuses the key (a 401 or 403
 * answer at connect, a `key-revoked` Close), else null. SignalR reports a refused negotiate with
 * the status in its message ("...: Status code '401'"), after the problem details it was sent.
 * @param {any} error @returns {EquipUnauthorizedError | null}
 */
export function keyRefusal(error) {
  if (!error) {
    return null;
  }
  if (error instanceof EquipUnauthorizedError) {
    return error;
  }
  const message = String(error.message ?? error);
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    const detail = /"detail":"((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
    const why = detail ? JSON.parse(`"${detail}"`) : status === 401 ? 'No key was sent, or an unknown one.' : 'Forbidden.';
    return new EquipUnauthorizedError(`The server refused the key (HTTP ${status}): ${why} Give the client a valid key (options.key).`, { status, cause: error });
  }
  const code = codeOf(message);
  if (code === HubErrors.keyRevoked) {
    return new EquipUnauthorizedError(message, { code, cause: error });
  }
  return null;
}

/**
 * Whether a failed connection attempt says the server is restarting: nothing listens at its
 * address (ECONNREFUSED, which the connection's HTTP client writes into the message), or it
 * answered 503 because it is stopping.
 * @param {unknown} error @returns {boolean}
 */
export function serverRestarting(error) {
  return statusOf(error) === 503 || String(/** @type {any} */ (error)?.message ?? error ?? '').includes('ECONNREFUSED');
}

/**
 * The HTTP status a failed connection attempt was answered with: SignalR's HttpError carries it,
 * and a failed negotiate writes it into the message only.
 * @param {unknown} error @returns {number | undefined}
 */
function statusOf(error) {
  const message = String(/** @type {any} */ (error)?.message ?? error ?? '');
  return /** @type {any} */ (error)?.statusCode ?? (Number(/Status code '(\d{3})'/.exec(message)?.[1]) || undefined);
}

/**
 * Turns a failed invocation into an EquipRefusedError when it carries a code.
 * @param {any} error @returns {EquipRefusedError | null}
 */
export function refusal(error) {
  const code = codeOf(error?.message);
  return code ? new EquipRefusedError(code, error.message) : null;
}
