// Store errors as the API server reports them.
import { alreadyExists, conflict, gone, notFound, serviceUnavailable, type ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { isStoreError } from '../store/store.js';

export function toApiError(err: unknown, info: ResourceInfo, name: string): unknown {
  if (!isStoreError(err)) return err;
  const e: ApiError = (() => {
    switch (err.code) {
      case 'KeyExists':
        return alreadyExists(info.resource, info.group, name);
      case 'KeyNotFound':
        return notFound(info.resource, info.group, name);
      case 'Conflict':
        return conflict(info.resource, info.group, name);
      case 'Compacted':
        return gone(err.message);
      case 'Unavailable':
        return serviceUnavailable(`the cluster store is unavailable: ${err.message}`);
    }
  })();
  return e;
}
