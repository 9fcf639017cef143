// meta/v1 and other apimachinery types every kind shares (k8s.io/apimachinery).
import {
  arr,
  bool,
  gvk,
  int32,
  int64,
  obj,
  opaque,
  ref,
  str,
  stringMap,
  strings,
  time,
  type OpenAPISchema,
} from './openapi-schema.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Kinds that are valid in every group-version loopkube serves (DeleteOptions, Status, WatchEvent). */
const EVERY_GROUP_VERSION: Array<[string, string]> = [
  ['', 'v1'],
  ['autoscaling', 'v1'],
  ['coordination.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['meta.k8s.io', 'v1'],
];

export const META_V1_SCHEMAS: Record<string, OpenAPISchema> = {
  // Quantity and IntOrString have no single `type` (kubectl explain then shows their names).
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description:
      'Quantity is a fixed-point number with an optional suffix: `128974848`, `129e6`, `129M`, `123Mi`, `500m` (CPU millicores).',
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
    description: 'IntOrString holds either an integer or a string, e.g. a port number (8080) or a port name ("http").',
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': opaque('RawExtension holds an embedded object, in JSON.'),
  [`${META}.Time`]: {
    type: 'string',
    format: 'date-time',
    description: 'Time is a timestamp in RFC 3339 form with second precision, e.g. `2024-05-01T10:00:00Z`.',
  },
  [`${META}.MicroTime`]: {
    type: 'string',
    format: 'date-time',
    description: 'MicroTime is a timestamp in RFC 3339 form with microsecond precision.',
  },
  [`${META}.FieldsV1`]: opaque('FieldsV1 is the set of fields a manager owns, in the trie form of server-side apply.'),
  [`${META}.ManagedFieldsEntry`]: obj('ManagedFieldsEntry records which fields a workflow (a manager) set on the object.', {
    apiVersion: str('APIVersion of the fields recorded in this entry.'),
    fieldsType: str('FieldsType is the format of the fields: only `FieldsV1`.'),
    fieldsV1: ref(`${META}.FieldsV1`, 'FieldsV1 holds the set of fields this manager owns.'),
    manager: str('Manager is the identifier of the workflow that set these fields.'),
    operation: str('Operation is the kind of request that set these fields: `Apply` or `Update`.'),
    subresource: str('Subresource names the subresource the object was updated through, if any.'),
    time: time('Time is when these fields were last set.'),
  }),
  [`${META}.OwnerReference`]: obj(
    'OwnerReference identifies an object that owns this one; it lets the garbage collector delete dependents.',
    {
      apiVersion: str('API version of the owner.'),
      blockOwnerDeletion: bool(
        'If true, and the owner has the "foregroundDeletion" finalizer, the owner cannot be deleted from the store until this reference is removed.',
      ),
      controller: bool('If true, this reference points to the managing controller.'),
      kind: str('Kind of the owner.'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner.'),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'] },
  ),
  [`${META}.ObjectMeta`]: obj('ObjectMeta is the metadata every persisted object carries.', {
    annotations: stringMap('Annotations is an unstructured key-value map for arbitrary, non-identifying metadata.'),
    creationTimestamp: time('CreationTimestamp is when the object was created, set by the server. Read-only.'),
    deletionGracePeriodSeconds: int64(
      'Seconds allowed for the object to terminate gracefully before it is removed. Set with deletionTimestamp. Read-only.',
    ),
    deletionTimestamp: time(
      'DeletionTimestamp is when the object will be deleted, set by the server when a graceful deletion is requested. Read-only.',
    ),
    finalizers: strings('Finalizers must be empty before the object is removed from the store.', {
      patchStrategy: 'merge',
      listType: 'set',
    }),
    generateName: str('GenerateName is a prefix the server completes with a random suffix when name is not given.'),
    generation: int64('Generation is a sequence number for the desired state, incremented by the server. Read-only.'),
    labels: stringMap('Labels are key-value pairs used to organize and select objects (by selectors of services and controllers).'),
    managedFields: arr(ref(`${META}.ManagedFieldsEntry`), 'ManagedFields maps workflow ids to the fields they manage.', {
      listType: 'atomic',
    }),
    name: str(
      'Name must be unique within a namespace (or the cluster for cluster-scoped kinds). It cannot be updated.',
    ),
    namespace: str('Namespace is the space within which the name must be unique. Empty for cluster-scoped kinds.'),
    ownerReferences: arr(ref(`${META}.OwnerReference`), 'Objects this object depends on. When all owners are gone, it is garbage collected.', {
      patchStrategy: 'merge',
      mergeKey: 'uid',
      listType: 'map',
      mapKeys: ['uid'],
    }),
    resourceVersion: str(
      'An opaque value for the internal version of this object, used for optimistic concurrency and watches. Read-only.',
    ),
    selfLink: str('Deprecated and not set by the server.'),
    uid: str('UID is the unique identifier of this object in time and space, set by the server. Read-only.'),
  }),
  [`${META}.ListMeta`]: obj('ListMeta is the metadata of a list or a Table.', {
    continue: str('Continue is the token to pass as the `continue` parameter to get the next page of a chunked list.'),
    remainingItemCount: int64('The number of items left after this page, when known.'),
    resourceVersion: str('The store revision this list was read at; a watch can start from it.'),
    selfLink: str('Deprecated and not set by the server.'),
  }),
  [`${META}.LabelSelectorRequirement`]: obj(
    'A label selector requirement: a key, an operator, and values.',
    {
      key: str('The label key the selector applies to.'),
      operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: strings('The values: non-empty for In and NotIn, empty for Exists and DoesNotExist.'),
    },
    { required: ['key', 'operator'] },
  ),
  [`${META}.LabelSelector`]: obj('A label query over a set of objects; the requirements are ANDed.', {
    matchExpressions: arr(ref(`${META}.LabelSelectorRequirement`), 'A list of label selector requirements.', {
      listType: 'atomic',
    }),
    matchLabels: stringMap('A map of {key,value} pairs, each equivalent to an `In` requirement with one value.'),
  }),
  [`${META}.Condition`]: obj(
    'Condition holds one aspect of the current state of an object.',
    {
      lastTransitionTime: time('When the condition last changed from one status to another.'),
      message: str('A human readable message with details about the transition.'),
      observedGeneration: int64('The .metadata.generation the condition was set from.'),
      reason: str('A programmatic, CamelCase identifier for the last transition.'),
      status: str('Status of the condition: True, False or Unknown.'),
      type: str('Type of the condition, in CamelCase.'),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),
  [`${META}.Preconditions`]: obj('Preconditions must be fulfilled before an operation (update, delete) is carried out.', {
    resourceVersion: str('The target resourceVersion.'),
    uid: str('The target UID.'),
  }),
  [`${META}.DeleteOptions`]: obj(
    'DeleteOptions may be provided when deleting an API object.',
    {
      apiVersion: str('APIVersion of this representation, e.g. `v1`.'),
      dryRun: strings('When present, the deletion is not persisted. The only valid value is `All`.'),
      gracePeriodSeconds: int64('Seconds before the object is deleted; 0 deletes immediately. Defaults to the kind\'s own value.'),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool('Deletes an object that cannot be read from the store. Not supported by loopkube.'),
      kind: str('Kind: DeleteOptions.'),
      orphanDependents: bool('Deprecated: use propagationPolicy. If true, dependents are orphaned.'),
      preconditions: ref(`${META}.Preconditions`, 'Must be fulfilled before the deletion is carried out.'),
      propagationPolicy: str('Whether and how garbage collection is performed: Orphan, Background or Foreground.'),
    },
    { gvk: EVERY_GROUP_VERSION.map(([g, v]) => gvk(g, v, 'DeleteOptions')) },
  ),
  [`${META}.StatusCause`]: obj('StatusCause gives more information about an error.', {
    field: str('The field of the resource that caused this error, e.g. `spec.ports[0].port`.'),
    message: str('A human readable description of the cause.'),
    reason: str('A machine-readable description of the cause, e.g. `FieldValueInvalid`.'),
  }),
  [`${META}.StatusDetails`]: obj('StatusDetails carries more data about a failure.', {
    causes: arr(ref(`${META}.StatusCause`), 'The causes of the error, when several apply.', { listType: 'atomic' }),
    group: str('The group of the resource the failure is about.'),
    kind: str('The kind of the resource the failure is about.'),
    name: str('The name of the resource the failure is about.'),
    retryAfterSeconds: int32('Seconds the client should wait before retrying.'),
    uid: str('The UID of the resource the failure is about.'),
  }),
  [`${META}.Status`]: obj(
    'Status is the result of an operation that does not return another object, and of every error.',
    {
      apiVersion: str('APIVersion: v1.'),
      code: int32('The HTTP status code.'),
      details: ref(`${META}.StatusDetails`, 'Extended data about the reason.'),
      kind: str('Kind: Status.'),
      message: str('A human readable description of the status.'),
      metadata: ref(`${META}.ListMeta`, 'Standard list metadata.'),
      reason: str('A machine-readable CamelCase reason, e.g. `NotFound` or `AlreadyExists`.'),
      status: str('Success or Failure.'),
    },
    { gvk: [gvk('', 'v1', 'Status')] },
  ),
  [`${META}.Patch`]: {
    type: 'object',
    description: 'Patch is the body of a PATCH request: a JSON patch, a merge patch or a strategic merge patch.',
  },
  [`${META}.WatchEvent`]: obj(
    'WatchEvent is one event of a watch stream.',
    {
      object: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The object: the new state for ADDED and MODIFIED, the last state for DELETED, a Status for ERROR.'),
      type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    },
    { required: ['type', 'object'], gvk: EVERY_GROUP_VERSION.map(([g, v]) => gvk(g, v, 'WatchEvent')) },
  ),
};
