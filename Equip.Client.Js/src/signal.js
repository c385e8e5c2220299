// @ts-check
/** A wake-up for the session loop: signal() releases one wait(), or the next one to come. */
export class Signal {
  /** @type {boolean} */ #pending;
  /** @type {(() => void) | null} */ #waiter;

  constructor() {
    this.#pending = false;
    this.#waiter = null;
  }

  signal() {
    const wake = this.#waiter;
    if (wake) {
      this.#waiter = null;
      wake();
    } else {
      this.#pending = true;
    }
  }

  /** @returns {Promise<void>} */
  wait() {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => { this.#waiter = resolve; });
  }
}

/** @param {number} ms @returns {Promise<void>} */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The promise, or a rejection once the deadline passes.
 * @template T @param {Promise<T>} promise @param {number} ms @param {string} what
 * @returns {Promise<T>}
 */
export function withDeadline(promise, ms, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms.`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
