import { sameJson } from './wire.js';

/** Whether a value already is of a property type; a container converts nothing. */
export function isOfType(value, type) {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'json': return value !== undefined;
    default: return false;
  }
}

export const valueTypes = Object.freeze(['string', 'number', 'integer', 'boolean', 'json']);

/**
 * One property of a running component. The component sets `value` (published to the server);
 * values written from outside (REST, the dashboard, a link) that the container applied arrive
 * through `onChanged`.
 */
export class Property {
  constructor(component, schema, value) {
    this.component = component;
    this.name = schema.name;
    this.type = schema.type;
    this.readOnly = schema.readOnly ?? false;
    this.current = value;
    this.listeners = new Set();
  }

  get value() {
    return this.current;
  }

  /** Sets the value from the component's side and publishes it. */
  set value(value) {
    if (!isOfType(value, this.type)) {
      throw new TypeError(`Property '${this.name}' holds a ${this.type}; ${JSON.stringify(value)} is not one.`);
    }
    if (sameJson(value, this.current)) {
      return;
    }
    this.current = value;
    this.component.container.publishValue(this);
  }

  /** @param {(value: any, property: Property) => void} listener called for values written from outside */
  onChanged(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A value written from outside that the container accepted. */
  applyFromOutside(value) {
    this.current = value;
    for (const listener of [...this.listeners]) {
      listener(value, this);
    }
  }

  fields() {
    return { componentId: this.component.componentId, name: this.name, type: this.type, readOnly: this.readOnly, value: this.current };
  }
}

/** A component running in a container for a request: its capability's properties, with values. */
export class Component {
  constructor(container, capability, request, schema, values) {
    this.container = container;
    this.capability = capability;
    this.requestId = request.id;
    this.componentId = request.id.toLowerCase();
    /** @type {Map<string, Property>} */
    this.properties = new Map(schema.map((p) => [p.name, new Property(this, p, values[p.name])]));
    this.behaviour = null;
  }

  /** @param {string} name @returns {Property} */
  property(name) {
    const property = this.properties.get(name);
    if (!property) {
      throw new RangeError(`Component ${this.capability} has no property '${name}'.`);
    }
    return property;
  }
}

/**
 * A launch's starting values: the schema's defaults, then the request's initialValues, then its
 * lastValues; a value not of the property's type is skipped.
 */
export function startingValues(schema, request) {
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
