// What etcd (and the gRPC link to it) answers, as the store's errors.
//
// - The link failed (no member reachable, a member died with the call in flight, the deadline
//   passed) or etcd cannot serve now (no leader, leader changed, request timed out, too many
//   requests): Unavailable, which the API server answers with 503. For a write that was sent,
//   the outcome is unknown, and the message says so, as etcd's clientv3 docs do.
// - etcd refused the request itself (too large, a bad argument): an ApiError worded exactly as
//   kube-apiserver passes it on, e.g. `etcdserver: request is too large` with code 500 and no
//   reason, which kubectl prints as `Error from server: etcdserver: request is too large`.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ApiError, statusFailure } from '../../api/errors.js';
import { StoreError } from '../store.js';

export interface ErrorContext {
  key: string;
  /** `127.0.0.1:2379,...` */
  endpoints: readonly string[];
  write?: boolean;
}

/** etcd's answers that mean "not now": rpctypes' ErrGRPCNoLeader, ErrGRPCLeaderChanged, ... */
const TRANSIENT_ETCD = [
  'etcdserver: no leader',
  'etcdserver: leader changed',
  'etcdserver: request timed out',
  'etcdserver: request timed out, possibly due to previous leader failure',
  'etcdserver: request timed out, possibly due to connection lost',
  'etcdserver: too many requests',
  'etcdserver: server stopped',
  'etcdserver: not capable',
  'etcdserver: not leader',
  'etcdserver: unhealthy cluster',
  'etcdserver: mvcc: database space exceeded',
];

/** Words the gRPC client uses when a call was never sent to any member. */
const NOT_SENT = ['No connection established', 'Waiting for LB pick', 'failed to connect to all addresses'];

const CODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(GrpcStatus).map(([name, n]) => [n, name]));

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}

/** `Unknown`, `ResourceExhausted`: the Go spelling of a gRPC code, as Go's status.Error prints it. */
function goCodeName(code: number): string {
  const name = CODE_NAMES[code] ?? String(code);
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function toStoreError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof StoreError || err instanceof ApiError) return err;
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err));
  const details = err.details || err.message;
  const transient =
    err.code === GrpcStatus.UNAVAILABLE ||
    err.code === GrpcStatus.DEADLINE_EXCEEDED ||
    err.code === GrpcStatus.CANCELLED ||
    TRANSIENT_ETCD.some((m) => details.startsWith(m));
  if (transient) {
    let message = `etcd at ${ctx.endpoints.join(',')} is unavailable: ${details}`;
    if (ctx.write && !NOT_SENT.some((m) => details.includes(m))) message += ' (the write may or may not have been applied)';
    return new StoreError('Unavailable', ctx.key, message);
  }
  // etcd's own errors (`etcdserver: ...`, `mvcc: ...`) read as clientv3 prints them; anything
  // else as Go's gRPC status does.
  const message = /^(etcdserver|mvcc|auth): /.test(details) ? details : `rpc error: code = ${goCodeName(err.code)} desc = ${details}`;
  return new ApiError(statusFailure(500, '', message));
}

/** True for etcd's "required revision has been compacted" (a Range at a compacted revision). */
export function isCompactedError(err: unknown): boolean {
  return isServiceError(err) && /required revision has been compacted/.test(err.details);
}

/** The link to a member failed (it died, or was never reached): gRPC's UNAVAILABLE. */
export function isLinkFailure(err: unknown): boolean {
  return isServiceError(err) && err.code === GrpcStatus.UNAVAILABLE;
}
