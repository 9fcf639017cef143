export { openRedisStore, type RedisStoreOptions } from './redis-store.js';
export { redisKeys, type RedisKeys } from './keys.js';
