// `loopkube list`: every cluster under $LOOPKUBE_HOME, as `kind get clusters` and
// `kubectl config get-contexts` show theirs: which one commands mean without --name (CURRENT),
// whether it runs, its nodes, its pods (asked of its API server), its API address and its age.
import { statSync } from 'node:fs';
import { resourcePath } from '../api/paths.js';
import { readClusterConfig } from '../cluster/config.js';
import { PODS } from '../kinds/pod/resource.js';
import { createApiClient } from '../client/client.js';
import { clientConfigFromHome } from '../client/config.js';
import { parseFlags } from './args.js';
import { defaultClusterName, knownClusters, type KnownCluster } from './cluster-home.js';
import { formatTable, humanDuration } from './table.js';

export const LIST_HELP = `List the clusters under $LOOPKUBE_HOME (default ~/.loopkube).

Usage:
  loopkube list [--json]

Columns: CURRENT (*: the cluster commands mean without --name: the only running one, else the
one 'up' started last), NAME, STATE (running or stopped), NODES, PODS (asked of the running
cluster's API server), API (its address), AGE (since it was created).

Options:
  --json        print JSON: [{ name, current, state, nodes, pods, api, createdAt, home }]
  -h, --help    show this help
`;

export interface ListedCluster {
  name: string;
  current: boolean;
  state: 'running' | 'stopped';
  nodes: number;
  /** null when the cluster is stopped or its API server did not answer. */
  pods: number | null;
  api: string;
  createdAt: string;
  home: string;
}

async function podCount(c: KnownCluster): Promise<number | null> {
  if (!c.running) return null;
  let client;
  try {
    client = createApiClient(clientConfigFromHome(c.home), { requestTimeoutMs: 2000 });
    return (await client.list(resourcePath(PODS))).items.length;
  } catch {
    return null;
  } finally {
    client?.close();
  }
}

export async function listClusters(): Promise<ListedCluster[]> {
  const current = defaultClusterName();
  return Promise.all(
    knownClusters().map(async (c) => {
      const config = readClusterConfig(c.home);
      let created: Date;
      try {
        // the CA is written once, when the cluster is created
        created = statSync(c.paths.caCert).mtime;
      } catch {
        created = statSync(c.paths.config).mtime;
      }
      return {
        name: c.name,
        current: c.name === current,
        state: c.running ? ('running' as const) : ('stopped' as const),
        nodes: config.nodes.length,
        pods: await podCount(c),
        api: `https://${config.apiServer.host}:${config.apiServer.port}`,
        createdAt: created.toISOString(),
        home: c.home,
      };
    }),
  );
}

export async function list(argv: string[]): Promise<number> {
  const { values } = parseFlags('list', argv, { json: { type: 'boolean' } } as const);
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return 0;
  }
  const clusters = await listClusters();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(clusters, null, 2)}\n`);
    return 0;
  }
  if (!clusters.length) {
    process.stderr.write('No clusters yet: start one with loopkube up\n');
    return 0;
  }
  const now = Date.now();
  process.stdout.write(
    `${formatTable(
      ['CURRENT', 'NAME', 'STATE', 'NODES', 'PODS', 'API', 'AGE'],
      clusters.map((c) => [c.current ? '*' : ' ', c.name, c.state, c.nodes, c.pods ?? '-', c.api, humanDuration(now - Date.parse(c.createdAt))]),
    )}\n`,
  );
  return 0;
}
