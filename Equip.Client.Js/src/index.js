// @ts-check
export { EquipClient } from './client.js';
export { ComponentContainer } from './container.js';
export { Component, Property, isOfType, valueTypes } from './component.js';
export { Replica } from './replica.js';
export { HubNames, EctTypes } from './wire.js';
export { HubErrors, codeOf, EquipRefusedError, EquipQueueFullError, EquipStoppedError, EquipUnauthorizedError } from './errors.js';
export { stableId, containerItemId, capabilityItemId, componentItemId, propertyItemId, componentIdForRequest, componentIdForLocal } from './stable-id.js';
