// The Lua scripts of the Redis store. Each write is one script, so its check of the expected
// state, the revision bump, the object write, the index update and the stream entry happen
// atomically: no other client sees (or interleaves with) half a write. Redis does not roll a
// script back, so every check comes before the first write, and the revision is bumped only
// once the write is certain to go ahead.
//
// Write scripts take KEYS = [revision, events, index, object] and answer
//   {'ok', revision}                      (create, update)
//   {'ok', revision, deleted object json} (delete)
//   {'KeyExists' | 'KeyNotFound' | 'Conflict', current revision or false}
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RedisScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, lua: string): RedisScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

// The stream entry of a write: ID `<revision>-0`, so stream IDs are ordered by revision and
// XREAD/XRANGE can start right after any revision.
const APPEND_EVENT = `
local function append_event(maxlen, rev, type, key, json)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, rev .. '-0',
    'type', type, 'key', key, 'revision', rev, 'object', json)
end
`;

/** ARGV = [store key, json head, json tail, stream max length]. */
export const CREATE = script(
  'create',
  `${APPEND_EVENT}
local current = redis.call('HGET', KEYS[4], 'rev')
if current then return {'KeyExists', current} end
local rev = redis.call('INCR', KEYS[1])
local json = ARGV[2] .. rev .. ARGV[3]
append_event(ARGV[4], rev, 'ADDED', ARGV[1], json)
redis.call('HSET', KEYS[4], 'rev', rev, 'rvpos', #ARGV[2] + 1, 'json', json)
redis.call('ZADD', KEYS[3], 0, ARGV[1])
return {'ok', rev}
`,
);

/** ARGV = [store key, json head, json tail, stream max length, expected revision]. */
export const UPDATE = script(
  'update',
  `${APPEND_EVENT}
local current = redis.call('HGET', KEYS[4], 'rev')
if not current then return {'KeyNotFound', false} end
if current ~= ARGV[5] then return {'Conflict', current} end
local rev = redis.call('INCR', KEYS[1])
local json = ARGV[2] .. rev .. ARGV[3]
append_event(ARGV[4], rev, 'MODIFIED', ARGV[1], json)
redis.call('HSET', KEYS[4], 'rev', rev, 'rvpos', #ARGV[2] + 1, 'json', json)
return {'ok', rev}
`,
);

/**
 * ARGV = [store key, stream max length, expected revision or '' for any]. The deleted object is
 * the stored one with its resourceVersion replaced by the delete's revision.
 */
export const DELETE = script(
  'delete',
  `${APPEND_EVENT}
local stored = redis.call('HMGET', KEYS[4], 'rev', 'rvpos', 'json')
local current = stored[1]
if not current then return {'KeyNotFound', false} end
if ARGV[3] ~= '' and current ~= ARGV[3] then return {'Conflict', current} end
local rev = redis.call('INCR', KEYS[1])
local pos = tonumber(stored[2])
local json = string.sub(stored[3], 1, pos - 1) .. rev .. string.sub(stored[3], pos + #current)
append_event(ARGV[2], rev, 'DELETED', ARGV[1], json)
redis.call('DEL', KEYS[4])
redis.call('ZREM', KEYS[3], ARGV[1])
return {'ok', rev, json}
`,
);

/**
 * One page of a list: KEYS = [revision, index]; ARGV = [object key prefix, store key prefix,
 * the last key of the previous page ('' for the first page), page size (-1: everything)].
 * Answers {current revision, index keys read, last index key read or '', key1, json1, key2,
 * json2, ...}, keys in byte order. The object
 * keys are derived from the index, which Redis Cluster would not allow; loopkube needs a
 * single Redis (or a primary with replicas), not a cluster.
 */
export const LIST_PAGE = script(
  'list-page',
  `
local prefix = ARGV[2]
local min, max
if prefix == '' then min, max = '-', '+' else min, max = '[' .. prefix, '(' .. prefix .. '\\255' end
if ARGV[3] ~= '' then min = '(' .. ARGV[3] end
local keys = redis.call('ZRANGEBYLEX', KEYS[2], min, max, 'LIMIT', 0, tonumber(ARGV[4]))
local out = {redis.call('GET', KEYS[1]) or '0', #keys, keys[#keys] or ''}
for _, key in ipairs(keys) do
  local json = redis.call('HGET', ARGV[1] .. key, 'json')
  if json then
    out[#out + 1] = key
    out[#out + 1] = json
  end
end
return out
`,
);

/**
 * KEYS = [revision, events]. Answers {current revision, ID of the stream's first entry or ''},
 * read together so they agree.
 */
export const HISTORY_EDGE = script(
  'history-edge',
  `
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local rev = redis.call('GET', KEYS[1]) or '0'
if #first == 0 then return {rev, ''} end
return {rev, first[1][1]}
`,
);

/** Runs a script by its SHA1, loading it first when Redis does not know it (e.g. after a restart). */
export async function runScript(
  redis: Redis,
  s: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(s.lua, keys.length, ...keys, ...args);
  }
}
