// @ts-check
/**
 * Exponential reconnect delays with jitter, capped, never giving up. While the server is
 * restarting (nothing listens at its address, or it answers 503 because it is stopping) the
 * window stops at the shorter restart cap: such attempts cost the server nothing.
 */
export class Backoff {
  /** @type {number} */ #initialMs;
  /** @type {number} */ #maxMs;
  /** @type {number} */ #restartMs;
  /** @type {number} */ #attempt;

  /** @param {number} initialMs @param {number} maxMs @param {number} restartMs */
  constructor(initialMs, maxMs, restartMs = maxMs) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#restartMs = restartMs;
    this.#attempt = 0;
  }

  reset() {
    this.#attempt = 0;
  }

  /**
   * The next delay in milliseconds: a random share of the upper half of initial × 2^attempt, at
   * most the cap (the restart cap when the server is restarting).
   * @param {boolean} [restarting]
   */
  next(restarting = false) {
    const cap = restarting ? Math.min(this.#maxMs, this.#restartMs) : this.#maxMs;
    const ceiling = Math.min(cap, this.#initialMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    return Math.max(1, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
  }
}
