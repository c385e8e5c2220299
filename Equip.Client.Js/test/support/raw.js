import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { adminKey } from './server.js';

/**
 * A registered hub connection without the client around it, recording every callback it
 * receives: to look at what the server sends (Values entries, whole Changes) and to make
 * subscriptions with options the client does not use.
 */
export async function rawPeer(server, peerId, { messagePack = false } = {}) {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(`${server.address}/hubs/dataspace`, { accessTokenFactory: () => adminKey })
    .configureLogging(signalR.LogLevel.None);
  if (messagePack) {
    builder.withHubProtocol(new MessagePackHubProtocol());
  }
  const hub = builder.build();
  const received = [];
  for (const target of ['Snapshot', 'Changes', 'Values', 'ValuesApplied']) {
    hub.on(target, (message) => received.push({ target, message }));
  }
  await hub.start();
  await hub.invoke('Register', { peerId, incarnation: globalThis.crypto.randomUUID(), name: peerId });
  return {
    hub,
    received,
    /** The messages of one callback, for one subscription if given. */
    of(target, subscriptionId) {
      return received.filter((r) => r.target === target && (subscriptionId === undefined || r.message.subscriptionId === subscriptionId)).map((r) => r.message);
    },
    subscribe(subscriptionId, pattern, options = {}) {
      return hub.invoke('Subscribe', { subscriptionId, pattern: { type: pattern.type, fields: pattern.fields ?? null, responsible: pattern.responsible ?? null }, ...options });
    },
    stop: () => hub.stop(),
  };
}
