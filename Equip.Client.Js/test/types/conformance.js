// @ts-check
// Checked by `npm run typecheck`, never run: the JavaScript sources must fit the declarations the
// package ships (types/index.d.ts), and show nothing public beyond them.
import * as implementation from '../../src/index.js';

/** @typedef {typeof import('../../types/index.js')} Declared */

// Every declared export exists in src/index.js with a shape that fits.
/** @type {Declared} */
export const declared = implementation;

/**
 * True when T has no public member that U does not declare.
 * @template T, U @typedef {[Exclude<keyof T, keyof U>] extends [never] ? true : false} NothingMore
 */

/** @type {NothingMore<typeof implementation, Declared>} */
export const noMoreExports = true;
/** @type {NothingMore<implementation.EquipClient, import('../../types/index.js').EquipClient>} */
export const noMoreOnClient = true;
/** @type {NothingMore<implementation.Replica, import('../../types/index.js').Replica>} */
export const noMoreOnReplica = true;
/** @type {NothingMore<implementation.ComponentContainer, import('../../types/index.js').ComponentContainer>} */
export const noMoreOnContainer = true;
/** @type {NothingMore<implementation.Component, import('../../types/index.js').Component>} */
export const noMoreOnComponent = true;
/** @type {NothingMore<implementation.Property, import('../../types/index.js').Property>} */
export const noMoreOnProperty = true;
