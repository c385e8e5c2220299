// @ts-check
/** Exponential reconnect delays with full jitter, capped, never giving up. */
export class Backoff {
  /** @type {number} */ #initialMs;
  /** @type {number} */ #maxMs;
  /** @type {number} */ #attempt;

  /** @param {number} initialMs @param {number} maxMs */
  constructor(initialMs, maxMs) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#attempt = 0;
  }

  reset() {
    this.#attempt = 0;
  }

  /** The next delay in milliseconds: a random share of initial × 2^attempt, at most the cap. */
  next() {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    return Math.max(1, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
  }
}
