// What a command that talks to a running cluster needs: its API client and its DNS.
import { existsSync } from 'node:fs';
import { readClusterConfig, type ClusterConfig } from '../cluster/config.js';
import { createApiClient, type ApiClient } from '../client/client.js';
import { clientConfigFromHome } from '../client/config.js';
import type { DnsQueryOptions } from '../dns/client.js';
import { CliError } from './args.js';
import { notRunningMessage, selectCluster } from './cluster-home.js';

export interface ClusterAccess {
  client: ApiClient;
  dns?: DnsQueryOptions;
}

/**
 * The cluster's client and DNS (`name` undefined: the cluster a command means without --name);
 * undefined (or an error when required) if it does not exist.
 */
export function openCluster(name: string | undefined, required: boolean): (ClusterAccess & { name: string; config: ClusterConfig }) | undefined {
  const loc = selectCluster(name);
  if (!existsSync(loc.paths.config)) {
    if (required) throw new CliError(notRunningMessage(loc.name));
    return undefined;
  }
  const config = readClusterConfig(loc.home);
  const client = createApiClient(clientConfigFromHome(loc.home), { requestTimeoutMs: 10_000 });
  const dns = config.dns?.port > 0 ? { server: config.dns.ip, port: config.dns.port, timeoutMs: 500, attempts: 2 } : undefined;
  return { name: loc.name, config, client, ...(dns ? { dns } : {}) };
}
