// The public API of @equip/client (src/index.js). Written by hand; `npm run typecheck` checks
// that the JavaScript sources match it (test/types/conformance.js).
import type { ILogger, LogLevel } from '@microsoft/signalr';

/** An item (docs/protocol.md, WireItem). Times are ISO strings in both protocols. */
export interface WireItem {
  id: string;
  type: string;
  fields: any;
  /** The peer responsible for it; null for items made through REST. */
  responsible: string | null;
  processBound: boolean;
  leaseExpiresAt: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** One change of a subscription. A value change is an `updated` event with the item as it is now. */
export interface WireEvent {
  revision: number;
  kind: 'added' | 'updated' | 'deleted';
  /** Deletes only: explicit, bound or leaseExpired. */
  reason: string | null;
  /** The item after the change; for a delete, its last state. */
  item: WireItem;
  /** Whether the item matches the subscription's whole pattern after the change. */
  matches: boolean;
}

/** Which items: an exact type or a prefix ending in `*`, top-level field equalities, a responsible peer. */
export interface WirePattern {
  type: string;
  fields?: Record<string, unknown> | null;
  responsible?: string | null;
}

export interface AddRequest {
  /** Give your own id to make a resend harmless (one is made when absent). */
  id?: string;
  type: string;
  fields?: Record<string, unknown>;
  processBound?: boolean;
  leaseSeconds?: number | null;
}

export interface UpdateRequest {
  id: string;
  type?: string | null;
  /** The new fields: they replace the old ones. */
  fields: Record<string, unknown>;
  expectedRevision?: number | null;
  leaseSeconds?: number | null;
  /** A high-rate value: a newer queued one of the item takes its place. Prefer setValue for values. */
  unreliable?: boolean;
}

/** The device's key, or a function giving it (asked at every connect). */
export type KeySource = string | (() => string | null | undefined | Promise<string | null | undefined>);

export interface EquipClientOptions {
  /**
   * The server's address, such as http://localhost:5000; or several addresses of one installation
   * (the nodes of a cluster), tried in turn: after a connection attempt that fails, or a lost
   * connection, the next attempt goes to the next address.
   */
  server: string | string[];
  /** The device's stable id, the same at every start. */
  peerId: string;
  key?: KeySource;
  /** Shown on the Peers page (the peer id). */
  name?: string;
  /** MessagePack instead of JSON (false). */
  messagePack?: boolean;
  /** Connect by WebSocket straight away, without the negotiate request (false). */
  webSocketsOnly?: boolean;
  /** How often a quiet connection is pinged (3000). */
  keepAliveMs?: number;
  /** How long the server may stay silent; also each connect attempt's deadline (10000). */
  serverTimeoutMs?: number;
  /** (100) */
  initialReconnectDelayMs?: number;
  /** (5000) */
  maxReconnectDelayMs?: number;
  /** The cap while the server is restarting: nothing listens at its address, or it answers 503 stopping (1000). */
  restartReconnectDelayMs?: number;
  /** Own writes that may wait for the server (10000). */
  maxQueuedChanges?: number;
  /** Values that may be on their way to the server, not yet acknowledged (32). */
  maxValuesInFlight?: number;
  /** Values of one item that may wait together to be sent; a later one takes the place of the newest of them (4; once half of maxQueuedChanges wait, only the latest). 1 keeps only the latest. */
  valuesQueuedPerItem?: number;
  /** A SignalR logger or log level (none). */
  logger?: ILogger | LogLevel;
}

export type ClientState = 'connecting' | 'connected' | 'fenced' | 'unauthorized' | 'stopped';

export interface StateChange {
  state: ClientState;
  sessionPresent: boolean;
  error: Error | null;
}

/**
 * A device's connection to an Equip server: registers, reconnects forever, queues its own writes
 * while away, keeps replicas current, re-asserts its items after every connect.
 */
export declare class EquipClient {
  constructor(options: EquipClientOptions);
  get peerId(): string;
  get incarnation(): string;
  get state(): ClientState;
  get sessionPresent(): boolean;
  /** The error the client ended with for good (fenced, unauthorized), or null. */
  get ended(): Error | null;
  /** How many own changes wait to be sent or answered. */
  get pendingChanges(): number;
  start(): this;
  stop(): Promise<void>;
  onStateChanged(listener: (change: StateChange) => void): () => void;
  waitUntilConnected(timeoutMs?: number): Promise<void>;
  add(request: AddRequest): Promise<WireItem>;
  update(request: UpdateRequest): Promise<WireItem>;
  /**
   * Sets the item's top-level field `value` by the value lane; resolves with the revision it was
   * given (or that of a newer value of the item that took its place while queued).
   */
  setValue(itemId: string, value: unknown): Promise<number>;
  delete(id: string, expectedRevision?: number): Promise<null>;
  renewLease(id: string, leaseSeconds?: number): Promise<WireItem>;
  get(id: string): Promise<WireItem | null>;
  query(pattern: WirePattern, page?: { after?: string; limit?: number }): Promise<WireItem[]>;
  subscribe(pattern: WirePattern): Replica;
  /** Deletes an own item, treating "already gone" as done. */
  deleteOwn(id: string, expectedRevision?: number): Promise<void>;
}

/** A local copy of the items matching a pattern, kept current. Made by EquipClient.subscribe. */
export declare class Replica {
  private constructor(subscriptionId: string, pattern: WirePattern);
  get subscriptionId(): string;
  get pattern(): WirePattern;
  get items(): ReadonlyMap<string, WireItem>;
  get revision(): number;
  get hasSnapshot(): boolean;
  get(id: string): WireItem | undefined;
  /** Called after every snapshot (events null) or batch of changes applied. */
  onChanged(listener: (events: WireEvent[] | null, replica: Replica) => void): () => void;
  waitUntil(condition: (replica: Replica) => unknown, timeoutMs?: number): Promise<Replica>;
}

export type PropertyType = 'string' | 'number' | 'integer' | 'boolean' | 'json';

export interface PropertySchema {
  name: string;
  type: PropertyType;
  readOnly?: boolean;
  default?: unknown;
}

/** What a capability's launch may return. */
export interface ComponentBehaviour {
  /** Called when the component stops (its request was deleted or moved). */
  stop?(): unknown;
}

export interface CapabilityDefinition {
  properties: PropertySchema[];
  launch?: (component: Component) => ComponentBehaviour | void | null | undefined;
}

export interface ContainerOptions {
  name?: string;
  host?: string;
  labels?: Record<string, string>;
}

export type ContainerEvent = 'launched' | 'stopped';

/** Runs components on a device; its id is its client's peer id. */
export declare class ComponentContainer {
  constructor(client: EquipClient, options?: ContainerOptions);
  get containerId(): string;
  get components(): ReadonlyMap<string, Component>;
  export(capability: string, definition: CapabilityDefinition): this;
  on(event: ContainerEvent, listener: (component: Component) => void): () => void;
  start(): this;
  stop(): Promise<void>;
}

/** A component running in a container for a request. */
export declare class Component {
  private constructor(container: ComponentContainer, capability: string, request: WireItem, schema: PropertySchema[], values: Record<string, unknown>);
  get container(): ComponentContainer;
  get capability(): string;
  get requestId(): string;
  get componentId(): string;
  get properties(): ReadonlyMap<string, Property>;
  property(name: string): Property;
}

/** A property of a running component. */
export declare class Property {
  private constructor(component: Component, schema: PropertySchema, value: unknown);
  get component(): Component;
  get name(): string;
  get type(): PropertyType;
  get readOnly(): boolean;
  /** Setting it publishes the value (a value not of the property's type throws a TypeError). */
  get value(): any;
  set value(value: any);
  /** Sets the value and resolves once the server applied it. */
  set(value: unknown): Promise<void>;
  /** Called with values written from outside that the container applied. */
  onChanged(listener: (value: any, property: Property) => void): () => void;
}

export declare function isOfType(value: unknown, type: string): boolean;
export declare const valueTypes: readonly PropertyType[];

/** The hub's path, methods and callbacks. */
export declare const HubNames: Readonly<{
  path: '/hubs/dataspace';
  register: 'Register';
  add: 'Add';
  update: 'Update';
  setValues: 'SetValues';
  delete: 'Delete';
  renewLease: 'RenewLease';
  get: 'Get';
  query: 'Query';
  subscribe: 'Subscribe';
  unsubscribe: 'Unsubscribe';
  reassert: 'Reassert';
  syncComplete: 'SyncComplete';
  snapshot: 'Snapshot';
  changes: 'Changes';
  values: 'Values';
  valuesApplied: 'ValuesApplied';
}>;

/** The item types of the component layer. */
export declare const EctTypes: Readonly<{
  container: 'ect.Container';
  capability: 'ect.Capability';
  component: 'ect.Component';
  property: 'ect.Property';
  componentRequest: 'ect.ComponentRequest';
  link: 'ect.Link';
  constant: 'ect.Constant';
}>;

/** The codes a refusal carries. */
export declare const HubErrors: Readonly<{
  notRegistered: 'not-registered';
  alreadyRegistered: 'already-registered';
  duplicateSubscription: 'duplicate-subscription';
  invalid: 'invalid';
  notFound: 'not-found';
  revisionMismatch: 'revision-mismatch';
  noLease: 'no-lease';
  compacted: 'compacted';
  staleIncarnation: 'stale-incarnation';
  replaced: 'replaced';
  stopping: 'stopping';
  outcomeUnknown: 'outcome-unknown';
  forbidden: 'forbidden';
  notResponsible: 'not-responsible';
  owned: 'owned';
  keyRevoked: 'key-revoked';
  clientTimeout: 'client-timeout';
  rateLimited: 'rate-limited';
  limitReached: 'limit-reached';
}>;

/** The code in a hub error's or a Close's text, or null. */
export declare function codeOf(text: string | null | undefined): string | null;

/** The server refused a request; `code` is the protocol's error code. */
export declare class EquipRefusedError extends Error {
  constructor(code: string, message: string);
  code: string;
}

/** A write was not queued: maxQueuedChanges writes wait already. */
export declare class EquipQueueFullError extends Error {
  constructor(capacity: number);
}

/** The client was stopped, or fenced off by a newer process with the same peer id. */
export declare class EquipStoppedError extends Error {
  constructor(message: string, cause?: unknown);
}

/** The server refused the client's key; the client has stopped for good. */
export declare class EquipUnauthorizedError extends EquipStoppedError {
  constructor(message: string, details?: { status?: number | null; code?: string | null; cause?: unknown });
  /** The HTTP status (401, 403) when the connect was refused. */
  status: number | null;
  /** The hub's code (forbidden at Register, key-revoked in a Close) otherwise. */
  code: string | null;
}

export declare function stableId(...names: string[]): string;
export declare function containerItemId(containerId: string): string;
export declare function capabilityItemId(containerId: string, capability: string): string;
export declare function componentItemId(componentId: string): string;
export declare function propertyItemId(componentId: string, property: string): string;
export declare function componentIdForRequest(requestId: string): string;
export declare function componentIdForLocal(containerId: string, name: string): string;
