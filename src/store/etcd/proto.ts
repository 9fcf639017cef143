// The part of etcd's v3 gRPC API the store uses (KV Range/Txn/DeleteRange/Compact and the Watch
// stream), as protobuf messages compiled once with protobufjs. Field names and numbers are
// etcd's own (api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto, etcd 3.4+), trimmed to what is
// used and without the gogoproto / HTTP-gateway annotations. Kept in code rather than a .proto
// file so dist/ needs nothing copied beside it.
import protobuf from 'protobufjs';

const ETCD_PROTO = `
syntax = "proto3";
package etcdserverpb;

message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}

message KeyValue {
  bytes key = 1;
  int64 create_revision = 2;
  int64 mod_revision = 3;
  int64 version = 4;
  bytes value = 5;
  int64 lease = 6;
}

message Event {
  enum EventType {
    PUT = 0;
    DELETE = 1;
  }
  EventType type = 1;
  KeyValue kv = 2;
  KeyValue prev_kv = 3;
}

message RangeRequest {
  bytes key = 1;
  bytes range_end = 2;
  int64 limit = 3;
  int64 revision = 4;
  int32 sort_order = 5;
  int32 sort_target = 6;
  bool serializable = 7;
  bool keys_only = 8;
  bool count_only = 9;
}

message RangeResponse {
  ResponseHeader header = 1;
  repeated KeyValue kvs = 2;
  bool more = 3;
  int64 count = 4;
}

message PutRequest {
  bytes key = 1;
  bytes value = 2;
  int64 lease = 3;
  bool prev_kv = 4;
}

message PutResponse {
  ResponseHeader header = 1;
  KeyValue prev_kv = 2;
}

message DeleteRangeRequest {
  bytes key = 1;
  bytes range_end = 2;
  bool prev_kv = 3;
}

message DeleteRangeResponse {
  ResponseHeader header = 1;
  int64 deleted = 2;
  repeated KeyValue prev_kvs = 3;
}

message RequestOp {
  oneof request {
    RangeRequest request_range = 1;
    PutRequest request_put = 2;
    DeleteRangeRequest request_delete_range = 3;
  }
}

message ResponseOp {
  oneof response {
    RangeResponse response_range = 1;
    PutResponse response_put = 2;
    DeleteRangeResponse response_delete_range = 3;
  }
}

message Compare {
  enum CompareResult {
    EQUAL = 0;
    GREATER = 1;
    LESS = 2;
    NOT_EQUAL = 3;
  }
  enum CompareTarget {
    VERSION = 0;
    CREATE = 1;
    MOD = 2;
    VALUE = 3;
    LEASE = 4;
  }
  CompareResult result = 1;
  CompareTarget target = 2;
  bytes key = 3;
  oneof target_union {
    int64 version = 4;
    int64 create_revision = 5;
    int64 mod_revision = 6;
    bytes value = 7;
    int64 lease = 8;
  }
}

message TxnRequest {
  repeated Compare compare = 1;
  repeated RequestOp success = 2;
  repeated RequestOp failure = 3;
}

message TxnResponse {
  ResponseHeader header = 1;
  bool succeeded = 2;
  repeated ResponseOp responses = 3;
}

message CompactionRequest {
  int64 revision = 1;
  bool physical = 2;
}

message CompactionResponse {
  ResponseHeader header = 1;
}

message WatchRequest {
  oneof request_union {
    WatchCreateRequest create_request = 1;
    WatchCancelRequest cancel_request = 2;
    WatchProgressRequest progress_request = 3;
  }
}

message WatchCreateRequest {
  bytes key = 1;
  bytes range_end = 2;
  int64 start_revision = 3;
  bool progress_notify = 4;
  repeated int32 filters = 5;
  bool prev_kv = 6;
  int64 watch_id = 7;
  bool fragment = 8;
}

message WatchCancelRequest {
  int64 watch_id = 1;
}

message WatchProgressRequest {}

message WatchResponse {
  ResponseHeader header = 1;
  int64 watch_id = 2;
  bool created = 3;
  bool canceled = 4;
  int64 compact_revision = 5;
  string cancel_reason = 6;
  bool fragment = 7;
  repeated Event events = 11;
}
`;

export interface ResponseHeader {
  revision: number;
  member_id: number;
  raft_term: number;
}

export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export interface EtcdEvent {
  type: 'PUT' | 'DELETE';
  kv?: KeyValue;
  prev_kv?: KeyValue;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  keys_only?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end?: Buffer;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prev_kvs: KeyValue[];
}

export type RequestOp = { request_range: RangeRequest } | { request_put: PutRequest } | { request_delete_range: DeleteRangeRequest };

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: { header: ResponseHeader };
  response_delete_range?: DeleteRangeResponse;
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  key: Buffer;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: number;
  progress_notify?: boolean;
  prev_kv?: boolean;
  watch_id?: number;
}

export type WatchRequest = { create_request: WatchCreateRequest } | { cancel_request: { watch_id: number } } | { progress_request: Record<string, never> };

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  fragment: boolean;
  events: EtcdEvent[];
}

/** Encodes a request and decodes a response of one message type. */
export interface Codec<T> {
  encode(value: T): Buffer;
  decode(buf: Buffer): T;
}

const root = protobuf.parse(ETCD_PROTO, { keepCase: true }).root;

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, oneofs: false };

function codec<T>(name: string): Codec<T> {
  const type = root.lookupType(`etcdserverpb.${name}`);
  return {
    encode: (value) => Buffer.from(type.encode(type.fromObject(value as unknown as Record<string, unknown>)).finish()),
    decode: (buf) => type.toObject(type.decode(buf), CONVERSION) as unknown as T,
  };
}

export const messages = {
  RangeRequest: codec<RangeRequest>('RangeRequest'),
  RangeResponse: codec<RangeResponse>('RangeResponse'),
  DeleteRangeRequest: codec<DeleteRangeRequest>('DeleteRangeRequest'),
  DeleteRangeResponse: codec<DeleteRangeResponse>('DeleteRangeResponse'),
  TxnRequest: codec<TxnRequest>('TxnRequest'),
  TxnResponse: codec<TxnResponse>('TxnResponse'),
  CompactionRequest: codec<CompactionRequest>('CompactionRequest'),
  CompactionResponse: codec<{ header: ResponseHeader }>('CompactionResponse'),
  WatchRequest: codec<WatchRequest>('WatchRequest'),
  WatchResponse: codec<WatchResponse>('WatchResponse'),
};
