// The one client every component (controllers, nodes, proxy, CLI) uses to talk to the API
// server: JSON over HTTPS with the cluster's CA and bearer token, errors as ApiError carrying
// the server's metav1.Status, and streaming watches.
//
// Given several API servers (config.servers), it uses one at a time and moves to the next when
// a connection to it fails: a request that was never sent (connection refused) or that only
// reads is sent again to the next one; a write that may have reached the failed server fails
// with 503, as it would against one server. Watches that end are made again by their informer,
// on whichever server is current then.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ApiError, serviceUnavailable, statusFailure } from '../api/errors.js';
import type { DeleteOptions, KubeList, KubeObject, Status, WatchEvent } from '../api/types.js';
import type { ClientConfig } from './config.js';

export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WatchHandlers<T extends KubeObject> {
  onEvent(event: WatchEvent<T>): void;
  /** The watch ended: err is undefined when the server closed it cleanly (re-watch from the last RV). */
  onClose(err?: ApiError): void;
}

export interface Watch {
  stop(): void;
}

export interface ApiClient {
  readonly config: ClientConfig;
  get<T extends KubeObject>(path: string): Promise<T>;
  list<T extends KubeObject>(path: string, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject>(path: string, obj: KubeObject | Record<string, unknown>): Promise<T>;
  update<T extends KubeObject>(path: string, obj: KubeObject): Promise<T>;
  patch<T extends KubeObject>(path: string, patch: unknown, type?: PatchType): Promise<T>;
  delete(path: string, opts?: DeleteOptions): Promise<KubeObject | Status>;
  watch<T extends KubeObject>(path: string, opts: WatchOptions, handlers: WatchHandlers<T>): Watch;
  /** Any request; resolves with the parsed JSON body of a 2xx answer. */
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  close(): void;
}

function query(opts: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function errorFromBody(statusCode: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as Status;
    if (body && body.kind === 'Status') return new ApiError(body);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(statusFailure(statusCode, 'Unknown', text || `HTTP ${statusCode}`));
}

/** Connection errors after which a request certainly did not reach the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

interface SendError extends ApiError {
  notSent?: boolean;
}

export interface ApiClientOptions {
  requestTimeoutMs?: number;
  /** Connect from this address (a pod or node IP: an in-cluster client reaching the `kubernetes` ClusterIP). */
  localAddress?: string;
}

export function createApiClient(config: ClientConfig, opts: ApiClientOptions = {}): ApiClient {
  const urls = (config.servers?.length ? config.servers : [config.server]).map((s) => new URL(s));
  let current = 0;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: config.ca, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;

  /** The server at `index` failed: the next request goes to the next one (once per failure). */
  function moveOn(index: number): void {
    if (urls.length > 1 && current === index) current = (index + 1) % urls.length;
  }

  function send(method: string, path: string, body: unknown, contentType: string | undefined, timeoutMs: number): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const index = current;
    const url = urls[index];
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: url.hostname,
          port: url.port || 443,
          method,
          path,
          agent,
          headers: {
            Authorization: `Bearer ${config.token}`,
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType ?? 'application/json', 'Content-Length': payload.length } : {}),
          },
        },
        resolve,
      );
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`request ${method} ${path} timed out`)));
      }
      req.on('error', (err) => {
        moveOn(index);
        const e: SendError = serviceUnavailable(`the API server is not reachable: ${err.message}`);
        e.notSent = NOT_SENT_CODES.has((err as NodeJS.ErrnoException).code ?? '');
        reject(e);
      });
      req.end(payload);
    });
  }

  /** send(), again on the next server while the failure left the request unsent (or it only reads). */
  async function sendWithFailover(method: string, path: string, body: unknown, contentType: string | undefined, timeoutMs: number): Promise<IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(method, path, body, contentType, timeoutMs);
      } catch (err) {
        const e = err as SendError;
        if (attempt >= urls.length || !(e.notSent || method === 'GET')) throw err;
      }
    }
  }

  async function request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await sendWithFailover(method, path, body, contentType, requestTimeoutMs);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (err) {
      throw serviceUnavailable(`the API server closed the connection: ${(err as Error).message}`);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromBody(code, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  function watch<T extends KubeObject>(path: string, wopts: WatchOptions, handlers: WatchHandlers<T>): Watch {
    let stopped = false;
    let closed = false;
    let res: IncomingMessage | undefined;
    const finish = (err?: ApiError): void => {
      if (closed) return;
      closed = true;
      if (!stopped) handlers.onClose(err);
    };
    const q = query({
      watch: 'true',
      resourceVersion: wopts.resourceVersion,
      labelSelector: wopts.labelSelector,
      fieldSelector: wopts.fieldSelector,
      allowWatchBookmarks: wopts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: wopts.timeoutSeconds,
    });
    sendWithFailover('GET', path + q, undefined, undefined, 0).then(
      (r) => {
        res = r;
        if (stopped) {
          r.destroy();
          return;
        }
        const code = r.statusCode ?? 0;
        if (code < 200 || code >= 300) {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => finish(errorFromBody(code, Buffer.concat(chunks).toString('utf8'))));
          r.on('error', () => finish(serviceUnavailable('watch failed')));
          return;
        }
        let buffered = '';
        r.setEncoding('utf8');
        r.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (!line || stopped) continue;
            let event: WatchEvent<T>;
            try {
              event = JSON.parse(line) as WatchEvent<T>;
            } catch {
              continue;
            }
            if (event.type === 'ERROR') {
              finish(new ApiError(event.object as unknown as Status));
              r.destroy();
              return;
            }
            handlers.onEvent(event);
          }
        });
        r.on('end', () => finish());
        r.on('error', () => finish());
        r.on('close', () => finish());
      },
      (err: ApiError) => finish(err),
    );
    return {
      stop() {
        stopped = true;
        res?.destroy();
      },
    };
  }

  return {
    config,
    request,
    get: (path) => request('GET', path),
    list: (path, lopts = {}) => request('GET', path + query({ labelSelector: lopts.labelSelector, fieldSelector: lopts.fieldSelector })),
    create: (path, obj) => request('POST', path, obj),
    update: (path, obj) => request('PUT', path, obj),
    patch: (path, patch, type = 'merge') => request('PATCH', path, patch, PATCH_CONTENT_TYPE[type]),
    delete: (path, dopts) => request('DELETE', path, dopts),
    watch,
    close() {
      agent.destroy();
    },
  };
}
