// One gRPC channel to an etcd cluster (every member's client address), with etcd's KV calls as
// promises and its Watch stream. The channel spreads calls over the members that answer
// (round_robin, as etcd's own clientv3 balancer does) and leaves out one that is down, so losing
// a member costs only the calls in flight on it. Nothing is retried here: a write that failed in
// flight may or may not have been applied, and only the caller can tell what to do (errors.ts).
import * as grpc from '@grpc/grpc-js';
import {
  messages,
  type Codec,
  type CompactionRequest,
  type DeleteRangeRequest,
  type DeleteRangeResponse,
  type RangeRequest,
  type RangeResponse,
  type ResponseHeader,
  type TxnRequest,
  type TxnResponse,
  type WatchRequest,
  type WatchResponse,
} from './proto.js';
import { etcdEndpointsProblem, IPV4_ENDPOINT as IPV4, IPV6_ENDPOINT as IPV6 } from './url.js';

export interface EtcdRpcOptions {
  /** `127.0.0.1:2379` ... */
  endpoints: string[];
  /** Deadline of every unary call (ms). */
  callTimeoutMs: number;
}

export interface EtcdRpc {
  readonly endpoints: readonly string[];
  range(req: RangeRequest): Promise<RangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse>;
  compact(req: CompactionRequest): Promise<{ header: ResponseHeader }>;
  /** A new Watch stream; its messages are decoded WatchResponses. */
  watch(): grpc.ClientDuplexStream<WatchRequest, WatchResponse>;
  /** Resolves once the channel is connected to some member (or rejects at the deadline). */
  waitReady(deadlineMs: number): Promise<void>;
  close(): void;
}

/**
 * The gRPC target for a list of endpoints: `ipv4:a:p1,b:p2` or `ipv6:[a]:p1,[b]:p2` (gRPC's
 * address lists, which the round_robin policy spreads calls over), `dns:///host:port` for one.
 * gRPC has no list of host names, nor one mixing families: etcdEndpointsProblem says so first.
 */
export function grpcTarget(endpoints: readonly string[]): string {
  const problem = etcdEndpointsProblem(endpoints);
  if (problem) throw new RangeError(problem);
  if (endpoints.every((e) => IPV4.test(e))) return `ipv4:${endpoints.join(',')}`;
  if (endpoints.every((e) => IPV6.test(e))) return `ipv6:${endpoints.join(',')}`;
  return `dns:///${endpoints[0]}`;
}

const serializer = <T>(c: Codec<T>) => (value: T) => c.encode(value);
const deserializer = <T>(c: Codec<T>) => (buf: Buffer) => c.decode(buf);

export function createEtcdRpc(opts: EtcdRpcOptions): EtcdRpc {
  const client = new grpc.Client(grpcTarget(opts.endpoints), grpc.credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    // Lists of many objects come back in one message; etcd's own limit on what it sends is 2 GiB.
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // A member that stops answering (hung, or a dead link) is noticed within ~15 s even when
    // nothing is being asked of it, as clientv3's keepalive does.
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  });

  function unary<Req, Res>(method: string, reqCodec: Codec<Req>, resCodec: Codec<Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        method,
        serializer(reqCodec),
        deserializer(resCodec),
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + opts.callTimeoutMs },
        (err, res) => {
          if (err) reject(err);
          else resolve(res as Res);
        },
      );
    });
  }

  return {
    endpoints: opts.endpoints,
    range: (req) => unary('/etcdserverpb.KV/Range', messages.RangeRequest, messages.RangeResponse, req),
    txn: (req) => unary('/etcdserverpb.KV/Txn', messages.TxnRequest, messages.TxnResponse, req),
    deleteRange: (req) => unary('/etcdserverpb.KV/DeleteRange', messages.DeleteRangeRequest, messages.DeleteRangeResponse, req),
    compact: (req) => unary('/etcdserverpb.KV/Compact', messages.CompactionRequest, messages.CompactionResponse, req),
    watch() {
      // "hasleader": a member cut off from the cluster's leader ends its watches rather than
      // holding them open with nothing to send (clientv3's WithRequireLeader).
      const md = new grpc.Metadata();
      md.set('hasleader', 'true');
      return client.makeBidiStreamRequest(
        '/etcdserverpb.Watch/Watch',
        serializer(messages.WatchRequest),
        deserializer(messages.WatchResponse),
        md,
      );
    },
    waitReady(deadlineMs) {
      return new Promise((resolve, reject) => client.waitForReady(Date.now() + deadlineMs, (err) => (err ? reject(err) : resolve())));
    },
    close: () => client.close(),
  };
}
