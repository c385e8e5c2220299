import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

/**
 * Serves the given files (path → [body, content type]) from an origin of their own on a free
 * loopback port, as a web server of the installation's pages would.
 * @param {Record<string, [string, string]>} files
 */
export async function serveFiles(files) {
  const web = createServer((request, response) => {
    const [body, type] = files[new URL(request.url ?? '/', 'http://x').pathname] ?? ['not found', 'text/plain'];
    response.writeHead(body === 'not found' ? 404 : 200, { 'content-type': type });
    response.end(body);
  });
  await new Promise((resolve) => web.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (web.address());
  return { address: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => web.close(resolve)) };
}

/** Debian's Chromium, headless, through Playwright (no browser download). */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
