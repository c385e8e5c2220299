// @ts-check
import { EquipRefusedError, HubErrors, refusal } from './errors.js';
import * as wire from './wire.js';
import { HubNames } from './wire.js';

/** @typedef {import('@microsoft/signalr').HubConnection} HubConnection */
/** @typedef {import('./pending-writes.js').Write} Write */
/** @typedef {import('./pending-writes.js').PendingWrites} PendingWrites */
/** @typedef {import('./owned-items.js').OwnedItems} OwnedItems */
/** @typedef {import('./wire.js').ValuesAppliedMessage} ValuesAppliedMessage */

/**
 * Refusals that say nothing about the write: it stays queued, and the connection is given up.
 * @type {readonly string[]}
 */
const notTheWrites = [HubErrors.stopping, HubErrors.outcomeUnknown, HubErrors.staleIncarnation, HubErrors.keyRevoked];

/**
 * One connection to the server, with the client's SetValues frames on their way over it, waiting
 * for their acknowledgement, in the order sent.
 */
export class ClientConnection {
  /** @type {HubConnection} */ #hub;
  /** @type {Array<{ sequence: number, writes: Write[] }>} */ #frames;
  /** @type {number} */ #inFlight;
  /** @type {number} */ #sequence;
  /** @type {Error | null} */ #failure;

  /** @param {HubConnection} hub */
  constructor(hub) {
    this.#hub = hub;
    this.#frames = [];
    this.#inFlight = 0;
    this.#sequence = 0;
    this.#failure = null;
  }

  get hub() { return this.#hub; }

  /** Values sent and not yet acknowledged. */
  get inFlight() { return this.#inFlight; }

  /** Why this connection must be given up (the server said it stops, or fenced the peer), or null. */
  get failure() { return this.#failure; }

  /** @param {Error} error */
  fail(error) {
    this.#failure ??= error;
  }

  /** Numbers a frame of values about to be sent and keeps it until acknowledged. @param {Write[]} writes */
  frame(writes) {
    const sequence = ++this.#sequence;
    this.#frames.push({ sequence, writes });
    this.#inFlight += writes.length;
    return sequence;
  }

  /** The frames an acknowledgement through the sequence covers, oldest first. @param {number} sequence */
  acknowledged(sequence) {
    let count = 0;
    while (count < this.#frames.length && this.#frames[count].sequence <= sequence) {
      count++;
    }
    const covered = this.#frames.splice(0, count);
    for (const frame of covered) {
      this.#inFlight -= frame.writes.length;
    }
    return covered;
  }
}

/**
 * Sends the client's own writes over a connection, in the order they were made. Values go in
 * SetValues frames (the values queued next to one another), each without waiting for the
 * acknowledgements of those before it, up to maxValuesInFlight values on their way; the server
 * runs one connection's calls in order. Any other write waits until every value before it was
 * acknowledged, and for its own answer before the next goes.
 */
export class WriteSender {
  /** @type {PendingWrites} */ #pending;
  /** @type {OwnedItems} */ #owned;
  /** @type {number} */ #maxInFlight;
  /** @type {() => void} */ #answered;

  /**
   * @param {PendingWrites} pending @param {OwnedItems} owned @param {number} maxInFlight
   * @param {() => void} answered called when writes on their way were answered (the next may go)
   */
  constructor(pending, owned, maxInFlight, answered) {
    this.#pending = pending;
    this.#owned = owned;
    this.#maxInFlight = maxInFlight;
    this.#answered = answered;
  }

  /**
   * Sends the next write, or sets values on their way; false when there is nothing to send now
   * (nothing queued, or what is on its way holds the next back: its answer wakes the caller).
   * @param {ClientConnection} connection @returns {Promise<boolean>}
   */
  async sendNext(connection) {
    const write = this.#pending.next(connection);
    if (!write) {
      return false;
    }
    if (write.isValue) {
      if (connection.inFlight >= this.#maxInFlight) {
        return false;
      }
      await this.#sendValues(connection);
      return true;
    }
    if (connection.inFlight > 0) {
      return false;
    }
    await this.#send(connection, write);
    return true;
  }

  /** @param {ClientConnection} connection */
  async #sendValues(connection) {
    const writes = this.#pending.takeValues(connection, this.#maxInFlight - connection.inFlight);
    const values = writes.map((w) => {
      w.markSent();
      return [w.itemId, w.takeValue()];
    });
    const sequence = connection.frame(writes);
    // A send, without an invocation id: the server answers with ValuesApplied (see applied).
    await connection.hub.send(HubNames.setValues, { sequence, values });
  }

  /**
   * The server applied (or refused) one SetValues of the connection. A call sent before it and
   * still unanswered was not read by the server (nor applied): its values fail. Calls
   * acknowledged(write, revision) for every value applied, before its caller is answered.
   * @param {ClientConnection} connection @param {ValuesAppliedMessage} applied
   * @param {(write: Write, revision: number) => void} acknowledged
   */
  applied(connection, applied, acknowledged) {
    for (const { sequence, writes } of connection.acknowledged(applied.sequence)) {
      if (sequence !== applied.sequence || applied.revisions.length !== writes.length) {
        const message = `The server did not read SetValues ${sequence}.`;
        for (const write of writes) {
          this.#pending.remove(write);
          write.fail(new EquipRefusedError(HubErrors.invalid, `${HubErrors.invalid}: ${message}`));
        }
        continue;
      }
      writes.forEach((write, index) => {
        const revision = applied.revisions[index];
        const refused = revision > 0 ? null : applied.refused.find((r) => r.index === index || r.index === null);
        if (refused && notTheWrites.includes(refused.code)) {
          // Not applied (the server stops), or the peer was fenced: the value goes again on the
          // next connection (or fails as the client ends), and this one is given up.
          this.#pending.notSent(write, connection);
          connection.fail(new EquipRefusedError(refused.code, `${refused.code}: ${refused.message}`));
          return;
        }
        this.#pending.remove(write);
        if (revision > 0) {
          acknowledged(write, revision);
          write.succeed(revision);
        } else {
          const code = refused?.code ?? HubErrors.invalid;
          write.fail(new EquipRefusedError(code, `${code}: ${refused?.message ?? `The server gave value ${index} of SetValues ${sequence} no revision, and no reason.`}`));
        }
      });
    }
    this.#answered();
  }

  /**
   * Sends a write other than a value and waits for its answer.
   * @param {ClientConnection} connection @param {Write} write
   */
  async #send(connection, write) {
    const resent = write.retried;
    write.markSent();
    this.#pending.sending(write, connection);
    let result;
    try {
      result = await connection.hub.invoke(write.method, write.argument);
    } catch (error) {
      const refused = refusal(error);
      if (!refused || notTheWrites.includes(refused.code)) {
        this.#pending.notSent(write, connection);
        throw error; // the connection or the server: the write stays queued and goes again (or fails as the client ends)
      }
      this.#pending.remove(write);
      if (write.isDelete && refused.code === HubErrors.notFound && (resent || this.#owned.has(write.itemId))) {
        // The first sending took effect before the connection broke, or the server removed an own
        // item meanwhile (the session ended while this peer was away): deleted all the same.
        this.#owned.forget(write.itemId);
        write.succeed(null);
        return;
      }
      write.fail(refused);
      return;
    }
    this.#pending.remove(write);
    if (write.isDelete) {
      this.#owned.forget(write.itemId);
      write.succeed(null);
      return;
    }
    const item = wire.item(result);
    this.#owned.adopt(item, write.leaseSeconds);
    write.succeed(item);
  }
}
