// @ts-check
import { jsonValueProblem, sameJson } from './wire.js';

/** @typedef {import('../types/index.js').PropertyType} PropertyType */
/** @typedef {import('../types/index.js').PropertySchema} PropertySchema */
/** @typedef {import('../types/index.js').WireItem} WireItem */
/** @typedef {import('./container.js').ComponentContainer} ComponentContainer */
/** @typedef {(value: any, property: Property) => void} PropertyListener */

/**
 * How a container publishes a running component's sets (it attaches one once the component's
 * items are queued).
 * @typedef {object} Publisher
 * @property {(property: Property) => Promise<unknown>} publish
 */

/**
 * What became of a value someone else wrote into a property's item: `same` (the property holds it
 * already), `applied` (the property took it), `refused` (read-only, or not of the property's type:
 * the item must show the real value again).
 * @typedef {'same' | 'applied' | 'refused'} Offer
 */

/**
 * What the container does to components and properties; not part of the package's API (index.js
 * does not export it).
 * @typedef {object} ComponentInternals
 * @property {(container: ComponentContainer, capability: string, request: WireItem, schema: PropertySchema[], values: Record<string, unknown>) => Component} create
 * @property {(component: Component, publisher: Publisher | null) => void} attach
 * @property {(component: Component) => Publisher | null} publisherOf
 * @property {(property: Property, value: unknown) => Offer} offer takes a value written from outside
 * @property {(property: Property, value: unknown) => void} notify tells the listeners of a value applied
 * @property {(property: Property) => Record<string, unknown>} fields the property's item's fields
 */

/** @type {ComponentInternals} */
export let componentInternals;

/** @type {{ offer: (property: Property, value: unknown) => Offer, notify: (property: Property, value: unknown) => void, fields: (property: Property) => Record<string, unknown> }} */
let propertyInternals;

/**
 * Whether a value already is of a property type; a container converts nothing.
 * @param {unknown} value @param {string} type
 */
export function isOfType(value, type) {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'json': return jsonValueProblem(value) === null;
    default: return false;
  }
}

/** @type {readonly PropertyType[]} */
export const valueTypes = Object.freeze(['string', 'number', 'integer', 'boolean', 'json']);

/**
 * One property of a running component. The component sets `value` (published to the server by
 * the value lane); values written from outside (REST, the dashboard, a link) that the container
 * applied arrive through `onChanged`.
 */
export class Property {
  /** @type {Component} */ #component;
  /** @type {string} */ #name;
  /** @type {PropertyType} */ #type;
  /** @type {boolean} */ #readOnly;
  /** @type {any} */ #current;
  /** @type {Set<PropertyListener>} */ #listeners;

  static {
    const offer = (/** @type {Property} */ property, /** @type {unknown} */ value) => property.#offer(value);
    const notify = (/** @type {Property} */ property, /** @type {unknown} */ value) => property.#notify(value);
    const fields = (/** @type {Property} */ property) => property.#fields();
    propertyInternals = { offer, notify, fields };
  }

  /**
   * Made by the component.
   * @param {Component} component @param {PropertySchema} schema @param {unknown} value
   */
  constructor(component, schema, value) {
    this.#component = component;
    this.#name = schema.name;
    this.#type = schema.type;
    this.#readOnly = schema.readOnly ?? false;
    this.#current = value;
    this.#listeners = new Set();
  }

  /** The component it belongs to. */
  get component() { return this.#component; }

  get name() { return this.#name; }

  /** string, number, integer, boolean or json. */
  get type() { return this.#type; }

  /** Whether only the component sets it: a value written from outside is written back. */
  get readOnly() { return this.#readOnly; }

  /** @returns {any} */
  get value() {
    return this.#current;
  }

  /** Sets the value from the component's side and publishes it. */
  set value(value) {
    this.#set(value).catch(() => {}); // published; a refusal leaves nothing to do here
  }

  /**
   * Sets the value as `value = ...` does, and resolves once the server applied it (or a later
   * value that took its place before it was sent): a component that produces values faster than
   * they can go can wait for the server this way. Resolves at once when the property holds the
   * value already, or when the component does not run (yet).
   * @param {unknown} value @returns {Promise<void>}
   */
  async set(value) {
    await this.#set(value);
  }

  /**
   * @param {PropertyListener} listener called for values written from outside
   * @returns {() => void} unsubscribes
   */
  onChanged(listener) {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /** @param {unknown} value @returns {Promise<unknown>} */
  #set(value) {
    if (!isOfType(value, this.#type)) {
      throw new TypeError(`Property '${this.#name}' holds a ${this.#type}; ${JSON.stringify(value)} is not one.`);
    }
    if (sameJson(value, this.#current)) {
      return Promise.resolve();
    }
    this.#current = value;
    return componentInternals.publisherOf(this.#component)?.publish(this) ?? Promise.resolve();
  }

  /** @param {unknown} value @returns {Offer} */
  #offer(value) {
    if (!isOfType(value, this.#type)) {
      return 'refused';
    }
    if (sameJson(value, this.#current)) {
      return 'same';
    }
    if (this.#readOnly) {
      return 'refused';
    }
    this.#current = value;
    return 'applied';
  }

  /** @param {unknown} value */
  #notify(value) {
    for (const listener of [...this.#listeners]) {
      listener(value, this);
    }
  }

  #fields() {
    return { componentId: this.#component.componentId, name: this.#name, type: this.#type, readOnly: this.#readOnly, value: this.#current };
  }
}

/** A component running in a container for a request: its capability's properties, with values. */
export class Component {
  /** @type {ComponentContainer} */ #container;
  /** @type {string} */ #capability;
  /** @type {string} */ #requestId;
  /** @type {string} */ #componentId;
  /** @type {Map<string, Property>} */ #properties;
  /** @type {Publisher | null} */ #publisher;

  static {
    componentInternals = {
      create: (container, capability, request, schema, values) => new Component(container, capability, request, schema, values),
      attach: (component, publisher) => { component.#publisher = publisher; },
      publisherOf: (component) => component.#publisher,
      ...propertyInternals,
    };
  }

  /**
   * Made by the container when it launches a component.
   * @param {ComponentContainer} container @param {string} capability @param {WireItem} request
   * @param {PropertySchema[]} schema @param {Record<string, unknown>} values
   */
  constructor(container, capability, request, schema, values) {
    this.#container = container;
    this.#capability = capability;
    this.#requestId = request.id;
    this.#componentId = request.id.toLowerCase();
    this.#properties = new Map(schema.map((p) => [p.name, new Property(this, p, values[p.name])]));
    this.#publisher = null;
  }

  /** The container it runs in. */
  get container() { return this.#container; }

  get capability() { return this.#capability; }

  /** The id of the ect.ComponentRequest it runs for. */
  get requestId() { return this.#requestId; }

  /** Its id: the request's id in lower case. */
  get componentId() { return this.#componentId; }

  /** Its properties, by name. @returns {ReadonlyMap<string, Property>} */
  get properties() { return this.#properties; }

  /** @param {string} name @returns {Property} */
  property(name) {
    const property = this.#properties.get(name);
    if (!property) {
      throw new RangeError(`Component ${this.#capability} has no property '${name}'.`);
    }
    return property;
  }
}

/**
 * A launch's starting values: the schema's defaults, then the request's initialValues, then its
 * lastValues; a value not of the property's type is skipped.
 * @param {PropertySchema[]} schema @param {WireItem} request @returns {Record<string, unknown>}
 */
export function startingValues(schema, request) {
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const property of schema) {
    for (const source of [{ [property.name]: property.default }, request.fields.initialValues ?? {}, request.fields.lastValues ?? {}]) {
      const value = source[property.name];
      if (value !== undefined && isOfType(value, property.type)) {
        values[property.name] = value;
      }
    }
    if (!(property.name in values)) {
      values[property.name] = { string: '', number: 0, integer: 0, boolean: false, json: null }[property.type];
    }
  }
  return values;
}
