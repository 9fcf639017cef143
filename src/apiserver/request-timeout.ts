// The deadline of a request that is not long-running, as kube-apiserver sets it: its
// --request-timeout (60 s by default), or less when the request's `timeout` query parameter asks
// for less (WithRequestDeadline: a `timeout` that time.ParseDuration refuses is a 400
// "invalid timeout specified in the request URL - ..."). Past the deadline the timeout filter
// answers 504 "Timeout: request did not complete within requested timeout - context deadline
// exceeded" whatever the handler was doing (reading a body a client stalls, waiting on the
// store), and the handler's later answer is dropped. Long-running requests (BasicLongRunningRequestCheck:
// the watch and proxy verbs, the attach, exec, proxy, log and portforward subresources) have no
// deadline.
import { ApiError, badRequest, statusFailure } from '../api/errors.js';
import { parseDuration } from '../cluster/propagation.js';
import type { RequestInfo } from './request-info.js';

/** kube-apiserver's --request-timeout default. */
export const REQUEST_TIMEOUT_MS = 60_000;

const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(info: RequestInfo): boolean {
  if (info.type !== 'resource') return false;
  return info.verb === 'watch' || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}

const INVALID_TIMEOUT = 'invalid timeout specified in the request URL';

/** The request's deadline in ms from now: the server's, or the `timeout` parameter's when shorter. */
export function requestDeadlineMs(params: URLSearchParams, serverTimeoutMs = REQUEST_TIMEOUT_MS): number {
  const value = params.get('timeout');
  if (value === null || value === '') return serverTimeoutMs;
  const ms = parseDuration(value);
  if (ms === null) throw badRequest(`${INVALID_TIMEOUT} - time: invalid duration ${JSON.stringify(value)}`);
  // a zero or negative timeout is no shorter deadline (upstream keeps the server's)
  return ms > 0 && ms < serverTimeoutMs ? ms : serverTimeoutMs;
}

/** The timeout filter's answer. */
export function requestTimedOut(): ApiError {
  return new ApiError(statusFailure(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}));
}
