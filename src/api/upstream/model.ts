// The shape of the generated API tables (src/api/upstream/<group>-<version>.ts): the Go types of
// k8s.io/api, k8s.io/apimachinery and the other upstream API modules, as
// scripts/gen-api-tables reads them from their types.go files.
//
// A type reference is a string in Go's own syntax with qualified names:
//   `string`, `int32`, `[]byte`, `*int64`, `[]core.v1.Container`, `map[string]resource.Quantity`,
//   `*meta.v1.Time`, `any` (interface{}).
// A qualified name is `<package>.<Type>` where <package> is a table's `name` (core.v1, meta.v1,
// apps.v1, ...), or one of the apimachinery packages whose types have a JSON form of their own:
// `resource.Quantity`, `intstr.IntOrString`, `runtime.RawExtension`, `runtime.Unknown`.

export type ListType = 'atomic' | 'set' | 'map';
export type MapType = 'atomic' | 'granular';

export interface UpstreamField {
  /** The Go field name (`Containers`); for an embedded field, the embedded type's name. */
  go: string;
  /** The JSON name from the `json` tag; '' for an embedded (inlined) struct. */
  json: string;
  /** The Go type, e.g. `[]core.v1.Container`. */
  type: string;
  /** The `json` tag has `omitempty`. */
  omitempty?: true;
  /** An embedded struct without a JSON name: encoding/json merges its fields into the parent. */
  inline?: true;
  /** The `protobuf` tag as written, e.g. `bytes,6,rep,name=ports`. */
  protobuf?: string;
  /** The protobuf tags of a map's keys and values, as written. */
  protobufKey?: string;
  protobufVal?: string;
  /** `patchStrategy` tag: `merge`, `retainKeys` or `merge,retainKeys`. */
  patchStrategy?: string;
  /** `patchMergeKey` tag. */
  patchMergeKey?: string;
  /** `+listType=` marker. */
  listType?: ListType;
  /** `+listMapKey=` markers, in order. */
  listMapKeys?: string[];
  /** `+mapType=` marker. */
  mapType?: MapType;
  /** `+optional` marker. */
  optional?: true;
  /** `+required` marker. */
  required?: true;
  /** `+default=` marker, as written (JSON). */
  default?: string;
  /** Other markers, without the `+` (e.g. `featureGate=...`, `kubebuilder:validation:MaxLength=253`). */
  markers?: string[];
  /** The field's documentation, formatted as upstream's OpenAPI documents have it. */
  doc: string;
}

export interface UpstreamStruct {
  kind: 'struct';
  doc: string;
  fields: UpstreamField[];
  /** `+structType=atomic` (published as x-kubernetes-map-type: atomic). */
  structType?: MapType;
  /** Other markers of the type, without the `+` (genclient, k8s:deepcopy-gen:..., kubebuilder:...). */
  markers?: string[];
}

/** `type Protocol string`, `type ResourceList map[ResourceName]resource.Quantity`, `type Verbs []string`. */
export interface UpstreamNamed {
  kind: 'named';
  doc: string;
  /** The underlying type, e.g. `string` or `map[core.v1.ResourceName]resource.Quantity`. */
  type: string;
  /** For an `+enum` type: the values of its typed string constants, sorted. */
  enum?: string[];
  markers?: string[];
}

export type UpstreamType = UpstreamStruct | UpstreamNamed;

export interface UpstreamPackage {
  /** The name type references use, e.g. `core.v1`. */
  name: string;
  /** The Go import path, e.g. `k8s.io/api/core/v1`. */
  goPackage: string;
  /** The API group ('' for the core group) and version the package's kinds are served under. */
  group: string;
  version: string;
  /** The prefix of the package's OpenAPI component names, e.g. `io.k8s.api.core.v1`. */
  openapi: string;
  /** The protobuf package of its generated.proto, e.g. `k8s.io.api.core.v1`; absent for a module without protobuf. */
  protobuf?: string;
  /** Where the tables were read from: module, version, files. */
  source: string;
  types: Readonly<Record<string, UpstreamType>>;
}
