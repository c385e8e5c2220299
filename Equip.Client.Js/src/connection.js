// @ts-check
import * as signalR from '@microsoft/signalr';
import { HubNames } from './wire.js';

/**
 * A SignalR connection to the server's hub, as the client's options ask: the key as its access
 * token (sent as `Authorization: Bearer KEY` on negotiate and, in Node, on the WebSocket; as the
 * `access_token` query parameter on a browser's WebSocket), JSON or MessagePack, the keep-alive
 * and server timeout. Not started.
 * @param {{ server: string, key?: import('../types/index.js').KeySource, webSocketsOnly: boolean, messagePack: boolean,
 *   keepAliveMs: number, serverTimeoutMs: number, logger: signalR.ILogger | signalR.LogLevel }} options the EquipClient's options
 * @returns {Promise<signalR.HubConnection>}
 */
export async function buildConnection(options) {
  /** @type {signalR.IHttpConnectionOptions} */
  const http = options.webSocketsOnly ? { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets } : {};
  http.httpClient = new CausedHttpClient(signalR.NullLogger.instance);
  const key = options.key;
  if (key != null) {
    http.accessTokenFactory = () => keyOf(key); // asked again at every connect: a function may rotate it
  }
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(new URL(HubNames.path, options.server).toString(), http)
    .configureLogging(options.logger);
  if (options.messagePack) {
    const { MessagePackHubProtocol } = await import('@microsoft/signalr-protocol-msgpack');
    builder.withHubProtocol(new MessagePackHubProtocol());
  }
  const connection = builder.build();
  connection.keepAliveIntervalInMilliseconds = options.keepAliveMs;
  connection.serverTimeoutInMilliseconds = options.serverTimeoutMs;
  return connection;
}

/**
 * Checks the `key` option: a string, or a function giving one (or a promise of one).
 * @param {unknown} key
 */
export function checkKey(key) {
  if (key != null && typeof key !== 'string' && typeof key !== 'function') {
    throw new TypeError('options.key must be a string, or a function returning a string or a promise of one.');
  }
}

/** @param {import('../types/index.js').KeySource} key @returns {Promise<string>} */
async function keyOf(key) {
  const value = typeof key === 'function' ? await key() : key;
  if (value != null && typeof value !== 'string') {
    throw new TypeError('options.key gave something other than a string.');
  }
  return value ?? '';
}

/**
 * SignalR's HTTP client, with the cause of a failed request (such as ECONNREFUSED) added to its
 * message: SignalR passes on only the message, and the client's backoff reads it
 * (serverRestarting).
 */
class CausedHttpClient extends signalR.DefaultHttpClient {
  /** @param {signalR.HttpRequest} request @returns {Promise<signalR.HttpResponse>} */
  async send(request) {
    try {
      return await super.send(request);
    } catch (error) {
      const code = /** @type {any} */ (error)?.cause?.code;
      if (typeof code === 'string' && error instanceof Error && !error.message.includes(code)) {
        error.message += ` (${code})`;
      }
      throw error;
    }
  }
}
