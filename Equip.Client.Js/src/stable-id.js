// @ts-check
/**
 * The stable item ids of the component layer (docs/components.md, "Stable item ids"): the same
 * names give the same id in every process and every language, so a restarted container re-adds
 * its predecessor's items instead of adding new ones beside them.
 */

const encoder = new TextEncoder();

/** @param {...string} names @returns {string} */
export function stableId(...names) {
  const hash = sha1(encoder.encode(['equip.ect', ...names].join('\u001f')));
  const bytes = hash.slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** @param {string} containerId @returns {string} */
export const containerItemId = (containerId) => stableId('container', containerId);
/** @param {string} containerId @param {string} capability @returns {string} */
export const capabilityItemId = (containerId, capability) => stableId('capability', containerId, capability);
/** @param {string} requestId @returns {string} */
export const componentIdForRequest = (requestId) => requestId.toLowerCase();
/** @param {string} containerId @param {string} name @returns {string} */
export const componentIdForLocal = (containerId, name) => `${containerId}/${name}`;
/** @param {string} componentId @returns {string} */
export const componentItemId = (componentId) => stableId('component', componentId);
/** @param {string} componentId @param {string} property @returns {string} */
export const propertyItemId = (componentId, property) => stableId('property', componentId, property);

/** SHA-1 (FIPS 180-4), synchronous, for Node.js and browsers alike. @param {Uint8Array} message */
function sha1(message) {
  const length = message.length;
  const blocks = Math.ceil((length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(message);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor((length * 8) / 2 ** 32));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let block = 0; block < blocks; block++) {
    for (let t = 0; t < 16; t++) {
      w[t] = view.getUint32(block * 64 + t * 4);
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let [a, b, c, d, e] = h;
    for (let t = 0; t < 80; t++) {
      const [f, k] = t < 20 ? [(b & c) | (~b & d), 0x5a827999]
        : t < 40 ? [b ^ c ^ d, 0x6ed9eba1]
          : t < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
            : [b ^ c ^ d, 0xca62c1d6];
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) >>> 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h[0] = (h[0] + a) >>> 0;
    h[1] = (h[1] + b) >>> 0;
    h[2] = (h[2] + c) >>> 0;
    h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(i * 4, word));
  return out;
}
