// etcd watches multiplexed on one gRPC Watch stream per store, as clientv3 does: each watch is
// a watcher on the stream with an id of ours (etcd 3.4+ takes the id from the create request), so
// responses are routed without waiting for each create in turn. The stream opens with the
// first watch and closes with the last. If it fails (the member died, the link dropped, the
// member lost its leader), every watch on it ends with Unavailable and the next watch opens a new
// stream, on a member that answers; the watch cache resumes from the last revision it saw.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { Logger } from '../../log.js';
import type { EtcdEvent, WatchRequest, WatchResponse } from './proto.js';
import type { EtcdRpc } from './rpc.js';

export interface WatcherHandlers {
  /** Events of one response, in revision order. */
  onEvents(events: EtcdEvent[]): void;
  /**
   * The watcher ended: etcd canceled it (compactRevision > 0 when its start revision has been
   * compacted away), or the stream failed (err set).
   */
  onEnd(end: { compactRevision: number; reason: string; err?: unknown }): void;
}

export interface WatcherSpec {
  key: Buffer;
  rangeEnd: Buffer;
  /** etcd's start_revision: the first revision delivered (inclusive). */
  startRevision: number;
}

export interface Watcher {
  cancel(): void;
}

export interface WatchStreams {
  watch(spec: WatcherSpec, handlers: WatcherHandlers): Watcher;
  /** Ends every watcher (with err) and closes the stream. */
  close(err: unknown): void;
  size(): number;
}

interface Active {
  id: number;
  handlers: WatcherHandlers;
  /** A fragmented response's events so far. */
  pending: EtcdEvent[];
  ended: boolean;
}

export function createWatchStreams(rpc: EtcdRpc, logger: Logger): WatchStreams {
  let stream: ClientDuplexStream<WatchRequest, WatchResponse> | undefined;
  const active = new Map<number, Active>();
  let nextId = 1;
  let closed = false;

  function end(w: Active, info: { compactRevision: number; reason: string; err?: unknown }): void {
    if (w.ended) return;
    w.ended = true;
    active.delete(w.id);
    w.handlers.onEnd(info);
  }

  function failStream(s: ClientDuplexStream<WatchRequest, WatchResponse>, err: unknown): void {
    if (stream !== s) return;
    stream = undefined;
    s.removeAllListeners('data');
    s.on('error', () => undefined);
    s.cancel();
    const watchers = [...active.values()];
    if (watchers.length) logger.warn({ err: String((err as Error)?.message ?? err), watches: watchers.length }, 'etcd watch stream ended; its watches end');
    for (const w of watchers) end(w, { compactRevision: 0, reason: 'the watch stream ended', err });
  }

  function open(): ClientDuplexStream<WatchRequest, WatchResponse> {
    const s = rpc.watch();
    stream = s;
    s.on('data', (res: WatchResponse) => onResponse(res));
    s.on('error', (err: unknown) => failStream(s, err));
    s.on('end', () => failStream(s, new Error('etcd closed the watch stream')));
    return s;
  }

  function onResponse(res: WatchResponse): void {
    const w = active.get(res.watch_id);
    if (!w) return; // a watcher we canceled; etcd may still send what it had queued
    if (res.events.length) {
      if (res.fragment) {
        w.pending.push(...res.events);
      } else {
        const events = w.pending.length ? [...w.pending, ...res.events] : res.events;
        w.pending = [];
        w.handlers.onEvents(events);
      }
    }
    if (res.canceled) end(w, { compactRevision: res.compact_revision, reason: res.cancel_reason });
  }

  function maybeCloseStream(): void {
    if (active.size > 0 || !stream) return;
    const s = stream;
    stream = undefined;
    s.removeAllListeners('data');
    s.on('error', () => undefined);
    s.end();
    s.cancel();
  }

  return {
    watch(spec, handlers) {
      const w: Active = { id: nextId++, handlers, pending: [], ended: false };
      if (closed) {
        setImmediate(() => end(w, { compactRevision: 0, reason: 'the store is closed', err: new Error('the store is closed') }));
        return { cancel: () => void (w.ended = true) };
      }
      active.set(w.id, w);
      const s = stream ?? open();
      s.write({
        create_request: {
          key: spec.key,
          range_end: spec.rangeEnd,
          start_revision: spec.startRevision,
          prev_kv: true,
          watch_id: w.id,
        },
      });
      return {
        cancel() {
          if (w.ended) return;
          w.ended = true;
          active.delete(w.id);
          if (stream && active.size > 0) stream.write({ cancel_request: { watch_id: w.id } });
          maybeCloseStream();
        },
      };
    },
    close(err) {
      closed = true;
      const s = stream;
      if (s) failStream(s, err);
      for (const w of [...active.values()]) end(w, { compactRevision: 0, reason: 'the store is closed', err });
    },
    size: () => active.size,
  };
}
