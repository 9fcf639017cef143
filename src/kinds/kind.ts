// What a served kind is, in one place: as a `pkg/registry/<group>/<kind>` package is upstream
// (its strategy.go and its REST storage), one folder under src/kinds/ holds a kind's resource
// description, printer columns, field selectors, defaulting and validation, create/update/delete
// preparation, subresources and garbage-collection policy. The API server, discovery, OpenAPI,
// protobuf decoding, kubectl's tables, the garbage collector and the namespace controller follow
// from the list in src/kinds/index.ts; nothing else switches on a kind's name.
//
// Schemas are not here: like upstream's OpenAPI, they describe the API types themselves
// (k8s.io/api) and live in the type library (src/apiserver/schema/), found by group/version/kind.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FieldRequirement, FieldSelectors } from '../api/fields.js';
import type { Selector } from '../api/labels.js';
import type { ResourceInfo } from '../api/resources.js';
import type { DeleteOptions, KubeObject, Service } from '../api/types.js';
import type { Logger } from '../log.js';
import type { KindPrinter } from '../apiserver/printers/table.js';

export type { FieldGetter, FieldSelectors } from '../api/fields.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE';

/** A write as a kind's admission sees it. */
export interface AdmissionRequest {
  info: ResourceInfo;
  operation: AdmissionOperation;
  /** '' for the main resource; 'status', 'scale', 'binding', ... for a subresource's write. */
  subresource: string;
  /** Incoming; metadata.name/namespace resolved, uid/creationTimestamp set by the API server. */
  object: KubeObject;
  /** The stored object, on UPDATE. */
  oldObject?: KubeObject;
}

/** What admission may consult beyond the object: cluster settings and stored state it derives from. */
export interface AdmissionDeps {
  /** e.g. '127.96.0.0/12' */
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  /** All services currently stored (any namespace), to know allocated ClusterIPs/NodePorts. */
  listServices(): Promise<Service[]>;
  /**
   * The values reserved in a shared range (src/kinds/service/shared-ranges.ts), by its store key:
   * what other API servers on the store hold besides the stored services.
   */
  rangeValues?(key: string): Promise<string[]>;
  /** A stored object, or undefined (e.g. a Pod's ServiceAccount). */
  getObject?(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** The stored objects of a kind (all namespaces when undefined), e.g. the IngressClasses to default from. */
  listObjects?(info: ResourceInfo, namespace: string | undefined): Promise<KubeObject[]>;
}

export interface Admission {
  /** Returns the defaulted object to store; throws ApiError. */
  admit(req: AdmissionRequest): Promise<KubeObject>;
}

export type PropagationPolicy = NonNullable<DeleteOptions['propagationPolicy']>;

/** What a kind's delete preparation may look at. */
export interface DeleteContext {
  getObject(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  now(): string;
}

/**
 * The kind's strategy: upstream's PrepareForCreate / PrepareForUpdate / Validate /
 * Canonicalize, the graceful-delete strategy and the default garbage-collection policy.
 */
export interface KindStrategy {
  /** Spec changes bump metadata.generation (upstream: the workload kinds). */
  tracksGeneration?: boolean;
  /**
   * The status a new object starts with: the client's status is dropped on create, as
   * PrepareForCreate does. Undefined keeps what the client sent (Nodes, Events: their writers
   * are the system).
   */
  initialStatus?(obj: KubeObject): unknown;
  /** Defaulting and validation, in Kubernetes' words; returns the object to store. */
  admit?(req: AdmissionRequest, deps: AdmissionDeps): KubeObject | Promise<KubeObject>;
  /**
   * A status update may also change annotations (upstream's deploymentStatusStrategy keeps only
   * spec and labels: the controller records the revision so). Default: only the status changes.
   */
  statusUpdateKeepsAnnotations?: boolean;
  /**
   * The stored object as this version presents it (a kind served in several versions, stored in
   * one: autoscaling/v1 HPAs are stored as v2). Applied to every object the API answers with.
   */
  present?(stored: KubeObject): KubeObject;
  /** Writes are serialized (state derived from every object of the kind, e.g. Service allocation). */
  serializeWrites?: boolean;
  /** The propagation of a delete that names none (upstream's DefaultGarbageCollectionPolicy). */
  defaultPropagation?: PropagationPolicy;
  /**
   * A delete of `obj` (a copy the caller stores): may refuse (throw), mark it terminating, or set
   * a grace period. Without it, an object with finalizers gets a deletionTimestamp and waits.
   */
  prepareDelete?(obj: KubeObject, options: DeleteOptions, ctx: DeleteContext): void | Promise<void>;
  /** An object being deleted whose finalizers are all gone: may the store drop it now? Default yes. */
  readyToRemove?(obj: KubeObject): boolean;
  /**
   * A DELETE that removes the object answers with it (upstream's ReturnDeletedObject: pods,
   * services, namespaces); otherwise with a Status of Success naming it. A delete that only
   * starts (a grace period, finalizers) answers with the object either way.
   */
  returnDeletedObject?: boolean;
}

/** A subresource request as its REST storage sees it. */
export interface SubresourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  verb: string;
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  /** The request body, decoded (JSON, YAML or protobuf) — read once. */
  body(): Promise<unknown>;
  /** The request's media type, e.g. 'application/merge-patch+json'. */
  mediaType: string;
  registry: SubresourceRegistry;
  logger: Logger;
  /** What the API server presents to a node's kubelet (pods/log, exec, attach, portforward). */
  kubeletToken: string;
}

/** The registry operations a subresource may use (src/apiserver/registry.ts implements them). */
export interface SubresourceRegistry {
  get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject>;
  /** Applies a change to an object with compare-and-swap retries, through the kind's admission. */
  mutate(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    subresource: string,
    change: (current: KubeObject) => KubeObject,
  ): Promise<KubeObject>;
  delete(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions): Promise<{ object: KubeObject; removed: boolean }>;
  list(info: ResourceInfo, namespace: string | undefined): Promise<KubeObject[]>;
}

/** A subresource's REST storage (upstream: BindingREST, ScaleREST, EvictionREST, ...). */
export interface SubresourceDefinition {
  /** The verbs discovery lists for it. */
  verbs: string[];
  /** What it answers with, when not the parent's kind (discovery's group/version/kind). */
  kind?: { group: string; version: string; kind: string };
  /**
   * Serves a request. Without it, the subresource is the parent object's `status` and the API
   * server's generic get/update/patch path serves it.
   */
  serve?(r: SubresourceRequest): Promise<void>;
  /** Protobuf messages clients send to it, by `apiVersion/kind` (e.g. 'v1/Binding' -> 'core.v1.Binding'). */
  protobufRequests?: Readonly<Record<string, string>>;
}

/** What a kind served from something other than the store may use. */
export interface ReadContext {
  registry: SubresourceRegistry;
  kubeletToken: string;
  logger: Logger;
}

/**
 * A read-only REST storage of a kind whose objects are not stored but computed when asked, as
 * metrics-server's NodeMetrics and PodMetrics are (upstream: an aggregated API server's storage).
 * Only get and list are served; selectors are the caller's, already parsed.
 */
export interface ReadOnlyStorage {
  get(ctx: ReadContext, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(ctx: ReadContext, namespace: string | undefined, labels: Selector, fields: FieldRequirement[]): Promise<KubeObject[]>;
}

/** One served kind. */
export interface KindDefinition {
  /** Objects computed when asked instead of stored (get and list only). */
  storage?: ReadOnlyStorage;
  resource: ResourceInfo;
  strategy: KindStrategy;
  /** kubectl's columns for the kind (the default NAME / CREATED AT printer when absent). */
  printer?: KindPrinter;
  /** Field selectors beyond metadata.name and metadata.namespace (upstream's GetAttrs). */
  fieldSelectors?: FieldSelectors;
  /** The protobuf message of the kind's objects, e.g. 'core.v1.Pod' (undefined: JSON only). */
  protobufMessage?: string;
  /** Subresources by name; their names are the resource's `subresources`. */
  subresources?: Readonly<Record<string, SubresourceDefinition>>;
  /**
   * Whether the garbage collector watches this kind for ownerReferences (default true; off for
   * kinds that never have owners, such as Events).
   */
  garbageCollected?: boolean;
}
