// Where a store keeps its data in Redis. Everything lives under one prefix per cluster
// (`loopkube/<cluster>`), so several clusters share one Redis database without seeing each
// other, and `redis-cli --scan --pattern 'loopkube/demo/*'` shows one cluster's data:
//
//   <prefix>/revision           string  the global revision counter (the last write's revision)
//   <prefix>/events             stream  one entry per write, ID `<revision>-0`, fields type, key,
//                                       revision, object; trimmed to a bounded history
//   <prefix>/keys               zset    every stored key (score 0, ordered by key), for lists
//   <prefix>/objects<store key> hash    json (the object, resourceVersion included), rev (its
//                                       revision), rvpos (byte offset of that revision in json)
//
// e.g. the pod default/web-1 of cluster demo: `loopkube/demo/objects/registry/pods/default/web-1`.
// Object keys all begin with `<prefix>/objects`, which no other key does, so they never collide.
export interface RedisKeys {
  readonly prefix: string;
  readonly revision: string;
  readonly events: string;
  readonly index: string;
  /** What every object key starts with; the store key follows it. */
  readonly objectPrefix: string;
  object(storeKey: string): string;
}

export function redisKeys(prefix: string): RedisKeys {
  const p = prefix.replace(/\/+$/, '');
  if (p === '') throw new RangeError('a Redis store needs a non-empty key prefix, such as loopkube/<cluster>');
  const objectPrefix = `${p}/objects`;
  return {
    prefix: p,
    revision: `${p}/revision`,
    events: `${p}/events`,
    index: `${p}/keys`,
    objectPrefix,
    object: (storeKey) => objectPrefix + storeKey,
  };
}
