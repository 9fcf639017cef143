// Which cluster a command means, and the user's kubeconfig, with two clusters in one
// LOOPKUBE_HOME (stand-in processes, real supervisor, real kubectl): commands without --name
// mean the only running cluster, else the one `up` started last; `list` shows them all; an
// unknown name lists the known ones; two `up`s at once both land in a kubeconfig that already
// holds other clusters, and `down --purge` takes out only its own.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListedCluster } from '../../src/cli/list.js';
import { kubeconfigContexts } from '../../src/pki/kubeconfig.js';
import { ensureBuilt, killPidFiles, removeDir, runCli, standInProcessRoot, tempDir, upInOwnBlock } from './helpers.js';

const OTHERS = `apiVersion: v1
kind: Config
clusters:
- cluster: { server: "https://127.0.0.1:39999" }
  name: kind-kind
users:
- name: kind-kind
  user: { token: kind-token }
contexts:
- context: { cluster: kind-kind, user: kind-kind }
  name: kind-kind
current-context: kind-kind
`;

let loopkubeHome: string;
let processRoot: string;
let kubeconfig: string;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, env);


beforeAll(() => {
  ensureBuilt();
  loopkubeHome = tempDir('loopkube-select-');
  processRoot = standInProcessRoot();
  kubeconfig = path.join(loopkubeHome, 'home', '.kube', 'config');
  execFileSync('mkdir', ['-p', path.dirname(kubeconfig)]);
  writeFileSync(kubeconfig, OTHERS);
  env = { LOOPKUBE_HOME: loopkubeHome, LOOPKUBE_PROCESS_ROOT: processRoot, KUBECONFIG: kubeconfig };
});

afterAll(async () => {
  for (const name of ['alpha', 'beta']) await runCli(['down', '--name', name, '--purge'], env, 30_000);
  killPidFiles(loopkubeHome);
  removeDir(loopkubeHome);
  removeDir(processRoot);
});

const kubectl = (...args: string[]): string => execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' }).trim();

describe('two clusters, one LOOPKUBE_HOME, one kubeconfig', () => {
  it('before any cluster: an unknown name says there is none; list says so', async () => {
    const st = await cli('status');
    expect(st.code).toBe(1);
    expect(st.stderr).toContain('cluster "default" does not exist; there are no clusters yet. Create it with: loopkube up');
    const ls = await cli('list');
    expect(ls.code).toBe(0);
    expect(ls.stderr).toContain('No clusters yet');
    expect(JSON.parse((await cli('list', '--json')).stdout)).toEqual([]);
  });

  it('two ups at once, each from a cluster file naming it: both contexts merged, the other cluster kept', async () => {
    const [upA, upB] = await Promise.all([upInOwnBlock('alpha', env, ['--nodes', '1']), upInOwnBlock('beta', env, ['--nodes', '0'])]);
    expect(upA.code, upA.stderr).toBe(0);
    expect(upB.code, upB.stderr).toBe(0);
    expect(upA.stdout).toContain(`kubectl now uses it: context "loopkube-alpha" in ${kubeconfig}`);
    expect(kubeconfigContexts(kubeconfig).sort()).toEqual(['kind-kind', 'loopkube-alpha', 'loopkube-beta']);
    expect(['loopkube-alpha', 'loopkube-beta']).toContain(kubectl('config', 'current-context'));
    // kubectl reaches whichever is current, with no --kubeconfig and no export
    expect(kubectl('get', '--raw', '/readyz')).toMatch(/^ok control-plane/);
    for (const ctx of ['loopkube-alpha', 'loopkube-beta']) expect(kubectl('--context', ctx, 'get', '--raw', '/readyz')).toMatch(/^ok/);
    expect(readFileSync(`${kubeconfig}.loopkube.bak`, 'utf8')).toContain('kind-kind');
  });

  it('up again with a name names the one that was last: then commands without --name mean it', async () => {
    // make the order certain: beta is the last one `up` started
    expect((await cli('down', '--name', 'beta')).code).toBe(0);
    const up = await cli('up', '--name', 'beta');
    expect(up.code, up.stderr).toBe(0);
    expect(kubectl('config', 'current-context')).toBe('loopkube-beta');
    const st = JSON.parse((await cli('status', '--json')).stdout) as { cluster: string };
    expect(st.cluster).toBe('beta');
    expect((await cli('kubeconfig')).stdout.trim()).toBe(path.join(loopkubeHome, 'beta', 'kubeconfig'));
  });

  it('list: both, the current one marked, states, nodes, API addresses', async () => {
    const listed = JSON.parse((await cli('list', '--json')).stdout) as ListedCluster[];
    expect(listed.map((c) => [c.name, c.current, c.state, c.nodes])).toEqual([
      ['alpha', false, 'running', 1],
      ['beta', true, 'running', 0],
    ]);
    for (const c of listed) expect(c.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const table = await cli('list');
    expect(table.stdout).toMatch(/^CURRENT\s+NAME\s+STATE\s+NODES\s+PODS\s+API\s+AGE$/m);
    expect(table.stdout).toMatch(/^\*\s+beta\s+running\s+0\s+\S+\s+https:\/\/127\.0\.0\.1:\d+\s+(\d+[smhdy])+$/m);
  });

  it('an unknown name lists the clusters there are', async () => {
    for (const args of [['status', '--name', 'gamma'], ['kubeconfig', '--name', 'gamma'], ['logs', '--name', 'gamma']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('cluster "gamma" does not exist; the clusters are: alpha (running), beta (running)');
    }
  });

  it('down without --name stops the last one; then the only running one is meant', async () => {
    const down = await cli('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('Stopped cluster "beta"');
    const st = JSON.parse((await cli('status', '--json')).stdout) as { cluster: string };
    expect(st.cluster).toBe('alpha');
    const listed = JSON.parse((await cli('list', '--json')).stdout) as ListedCluster[];
    expect(listed.map((c) => [c.name, c.state, c.current])).toEqual([
      ['alpha', 'running', true],
      ['beta', 'stopped', false],
    ]);
    // a stopped cluster keeps its context (kubectl then says the server does not answer)
    expect(kubeconfigContexts(kubeconfig)).toContain('loopkube-beta');
  });

  it('down --purge takes out its own context only, and puts back the one current before', async () => {
    const purge = await cli('down', '--name', 'beta', '--purge');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain(`Removed context loopkube-beta from ${kubeconfig}`);
    expect(kubeconfigContexts(kubeconfig).sort()).toEqual(['kind-kind', 'loopkube-alpha']);
    const purgeA = await cli('down', '--name', 'alpha', '--purge');
    expect(purgeA.code, purgeA.stderr).toBe(0);
    expect(kubeconfigContexts(kubeconfig)).toEqual(['kind-kind']);
    // whichever was current before its `up`: kind-kind for the first, loopkube-alpha (gone now) for the second
    expect(kubectl('config', 'view', '-o', 'jsonpath={.current-context}')).toMatch(/^(kind-kind|)$/);
    expect(JSON.parse((await cli('list', '--json')).stdout)).toEqual([]);
  });
});

describe('--no-kubeconfig', () => {
  it('leaves the kubeconfig alone and prints the export line', async () => {
    const before = readFileSync(kubeconfig, 'utf8');
    const up = await upInOwnBlock('alpha', env, ['--nodes', '0', '--no-kubeconfig']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`export KUBECONFIG=${path.join(loopkubeHome, 'alpha', 'kubeconfig')}`);
    expect(readFileSync(kubeconfig, 'utf8')).toBe(before);
    expect((await cli('down', '--purge')).code).toBe(0);
    expect(readFileSync(kubeconfig, 'utf8')).toBe(before);
  });
});
