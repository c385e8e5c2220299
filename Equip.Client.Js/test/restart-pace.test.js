import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { EquipClient } from '../src/index.js';

// While the server is restarting (nothing listens at its address, or it answers 503 because it is
// stopping) the client retries at the short restart pace; any other failure backs off to the full
// cap. Delays are drawn from the upper half of their window, so with the restart cap equal to the
// first delay every attempt is at most that far apart.
const watchedMs = 3200;

/** Failed connection attempts in the watched time. @param {string} server */
async function attemptsAgainst(server) {
  const client = new EquipClient({
    server, peerId: 'restart-pace', key: 'eqa_any',
    initialReconnectDelayMs: 400, maxReconnectDelayMs: 5000, restartReconnectDelayMs: 400,
  });
  let failures = 0;
  client.onStateChanged(({ state, error }) => { if (state === 'connecting' && error) failures++; });
  client.start();
  await new Promise((resolve) => setTimeout(resolve, watchedMs));
  await client.stop();
  return failures;
}

/** A server answering every request with the status. @param {number} status */
async function answering(status) {
  const server = createServer((_, response) => { response.statusCode = status; response.end(); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('a client retries a closed port at the restart pace', async () => {
  const closed = await answering(200);
  await closed.close(); // nothing listens there now
  const attempts = await attemptsAgainst(closed.url);
  assert.ok(attempts >= 7 && attempts < 100, `${attempts} attempts`);
});

test('a client retries a server answering 503 at the restart pace, and one answering 500 with the full backoff', async () => {
  const stopping = await answering(503);
  const failing = await answering(500);
  try {
    const atRestartPace = await attemptsAgainst(stopping.url);
    const backingOff = await attemptsAgainst(failing.url);
    assert.ok(atRestartPace >= 7, `${atRestartPace} attempts against 503`);
    // 200-400, 400-800, 800-1600, 1600-3200 ms apart: at most five attempts in 3.2 s.
    assert.ok(backingOff >= 2 && backingOff <= 5, `${backingOff} attempts against 500`);
  } finally {
    await stopping.close();
    await failing.close();
  }
});
