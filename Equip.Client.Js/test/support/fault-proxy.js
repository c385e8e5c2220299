import { createServer, connect } from 'node:net';

/**
 * A loopback TCP proxy that can cut the connections through it the way a network fails: reset()
 * closes them with RST, and while targetPort is null new ones are refused. While muteReplies is
 * true what the server sends is dropped (the client's messages still arrive): answers lost on
 * the way back.
 */
export class FaultProxy {
  static async start(targetPort) {
    const proxy = new FaultProxy(targetPort);
    await new Promise((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.address = `http://127.0.0.1:${proxy.server.address().port}`;
    return proxy;
  }

  constructor(targetPort) {
    this.targetPort = targetPort;
    this.muteReplies = false;
    this.sockets = new Set();
    this.server = createServer((client) => {
      if (this.targetPort == null) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const [a, b] of [[client, upstream], [upstream, client]]) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => { this.sockets.delete(a); b.destroy(); });
        a.on('end', () => b.end());
        a.on('data', (chunk) => {
          if (!(a === upstream && this.muteReplies) && !b.write(chunk)) {
            a.pause();
            b.once('drain', () => a.resume());
          }
        });
      }
    });
  }

  /** Closes every connection with RST (a router reboot, a cable pulled and noticed at once). */
  reset() {
    for (const socket of this.sockets) {
      socket.resetAndDestroy();
    }
  }

  async stop() {
    this.reset();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
