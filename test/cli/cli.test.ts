// The loopkube command line end to end, as a user runs it: real processes, real sockets, real
// kubectl. The cluster's processes are stand-ins (test/cli/fixtures/stand-in.mjs) so these tests
// do not depend on the real control plane, nodes and proxy; one test uses the real control
// plane when it is built.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusJson } from '../../src/cli/status.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import {
  REPO,
  alive,
  ensureBuilt,
  freePort,
  isolatedNetworking,
  killPidFiles,
  removeDir,
  runCli,
  standInProcessRoot,
  tempDir,
  waitFor,
} from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length) {
    try {
      await cleanups.pop()?.();
    } catch {
      // best effort
    }
  }
});

beforeAll(() => ensureBuilt());

/** A temp LOOPKUBE_HOME (removed after the test, processes killed) and a cluster file of its own addresses. */
async function sandbox(options: { processRoot?: string | null; nodes?: number } = {}) {
  const loopkubeHome = tempDir();
  const processRoot = options.processRoot === undefined ? standInProcessRoot() : options.processRoot;
  const env: NodeJS.ProcessEnv = { LOOPKUBE_HOME: loopkubeHome };
  if (processRoot) env.LOOPKUBE_PROCESS_ROOT = processRoot;
  const name = `t${Math.floor(Math.random() * 1e6)}`;
  const apiPort = await freePort();
  const net_ = isolatedNetworking();
  const configFile = path.join(loopkubeHome, 'cluster.yaml');
  writeFileSync(
    configFile,
    `kind: Cluster
apiVersion: loopkube.dev/v1alpha1
name: ${name}
networking:
  apiServerPort: ${apiPort}
  nodeSubnet: ${net_.nodeSubnet}
  podSubnet: ${net_.podSubnet}
  serviceSubnet: ${net_.serviceSubnet}
  loadBalancerPool: ${net_.loadBalancerPool}
`,
  );
  const home = path.join(loopkubeHome, name);
  cleanups.push(async () => {
    await runCli(['down', '--name', name], env, 30_000);
    killPidFiles(home);
    removeDir(loopkubeHome);
    if (processRoot) removeDir(processRoot);
    net_.release();
  });
  const cli = (...args: string[]) => runCli(args, env);
  return { env, name, home, apiPort, configFile, cli, kubeconfig: path.join(home, 'kubeconfig'), processRoot };
}

async function statusJson(cli: (...a: string[]) => ReturnType<typeof runCli>, name: string): Promise<StatusJson> {
  const r = await cli('status', '--name', name, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

describe('command line: usage', () => {
  const cases: Array<{ args: string[]; code: number; out?: RegExp; err?: RegExp }> = [
    { args: ['up', '--foo'], code: 2, err: /^error: unknown flag: --foo\nSee 'loopkube up --help' for usage\.$/m },
    { args: ['up', '--nodes', 'three'], code: 2, err: /invalid argument "three" for "--nodes" flag/ },
    { args: ['up', '--api-port', '70000'], code: 2, err: /invalid argument "70000" for "--api-port" flag/ },
    { args: ['up', '--store', 'etcd://x'], code: 2, err: /invalid argument "etcd:\/\/x" for "--store" flag/ },
    { args: ['up', '--data-plane', 'ebpf'], code: 2, err: /invalid argument "ebpf" for "--data-plane" flag: must be one of splice, socket, nftables/ },
    { args: ['up', '--propagation', 'fast'], code: 2, err: /invalid argument "fast" for "--propagation" flag: must be one of instant, production/ },
    { args: ['up', '--min-sync-period', 'soon'], code: 2, err: /invalid argument "soon" for "--min-sync-period" flag/ },
    { args: ['up', '--redis', '--store', 'redis://127.0.0.1:1/0'], code: 2, err: /--store and --redis cannot be used together/ },
    { args: ['up', '--etcd=2'], code: 2, err: /invalid argument "2" for "--etcd" flag: an etcd cluster needs an odd number of members \(1, 3, 5 or 7\)/ },
    { args: ['up', '--etcd', '--redis'], code: 2, err: /--redis and --etcd cannot be used together/ },
    { args: ['up', '--control-planes', '0'], code: 2, err: /invalid argument "0" for "--control-planes" flag: must be a whole number from 1 to 9/ },
    { args: ['up', '--name', 'Bad_Name'], code: 2, err: /--name: Invalid value: "Bad_Name"/ },
    { args: ['down', '--name'], code: 2, err: /flag needs an argument: --name/ },
    { args: ['status', 'extra'], code: 2, err: /unexpected argument "extra"/ },
    { args: ['node'], code: 2, err: /a subcommand is required: stop or start/ },
    { args: ['node', 'reboot', 'node-1'], code: 2, err: /unknown subcommand "reboot"/ },
    { args: ['node', 'stop'], code: 2, err: /needs the name of a node/ },
    { args: ['launch'], code: 2, err: /unknown command "launch" for "loopkube"\nRun 'loopkube --help' for usage\./ },
    // cobra's "did you mean" for commands; the closest flags for a mistyped flag
    { args: ['stauts'], code: 2, err: /unknown command "stauts" for "loopkube"\n\nDid you mean this\?\n\tstatus\n\nRun 'loopkube --help'/ },
    { args: ['dwon'], code: 2, err: /Did you mean this\?\n\tdown\n/ },
    { args: ['--verison'], code: 2, err: /unknown flag "--verison"[\s\S]*\t--version/ },
    { args: ['up', '--nods', '2'], code: 2, err: /^error: unknown flag: --nods \(did you mean --nodes\?\)$/m },
    { args: ['load', 'svc/web', '--conections', '5'], code: 2, err: /unknown flag: --conections \(did you mean --connections\?\)/ },
    // a negative number is a value out of range, not a missing one
    { args: ['up', '--nodes', '-1'], code: 2, err: /invalid argument "-1" for "--nodes" flag: must be a whole number from 0 to 65534/ },
    { args: ['load', 'svc/web', '-c', '-5'], code: 2, err: /invalid argument "-5" for "--connections" flag: must be a whole number from 1 to 10000/ },
    { args: ['load', 'svc/web', '--requests', '-3'], code: 2, err: /invalid argument "-3" for "--requests" flag/ },
    { args: ['up', '--nodes'], code: 2, err: /flag needs an argument: --nodes/ },
    { args: ['logs', '--level', 'loud'], code: 2, err: /invalid argument "loud" for "--level" flag: must be one of trace, debug, info, warn, error, fatal/ },
    { args: ['version'], code: 0, out: /^loopkube \d+\.\d+\.\d+\n$/ },
    { args: ['--version'], code: 0, out: /^loopkube \d+\.\d+\.\d+\n$/ },
    { args: ['--help'], code: 0, out: /Commands:[\s\S]*up[\s\S]*down[\s\S]*list[\s\S]*status[\s\S]*kubeconfig[\s\S]*logs[\s\S]*node[\s\S]*dns[\s\S]*version/ },
    ...['up', 'down', 'list', 'status', 'kubeconfig', 'logs', 'node', 'dns', 'run', 'load', 'top', 'dashboard', 'demo'].map((c) => ({
      args: [c, '--help'],
      code: 0,
      out: new RegExp(`Usage:\\n  loopkube ${c}`),
    })),
  ];
  it.each(cases)('loopkube $args', async ({ args, code, out, err }) => {
    const r = await runCli(args, { LOOPKUBE_HOME: '/nonexistent/loopkube-home' });
    expect(r.code, r.stderr).toBe(code);
    if (out) expect(r.stdout).toMatch(out);
    if (err) expect(r.stderr).toMatch(err);
  });

  it("the help and the READMEs stand on their own: no links out of the repo, no words of the project's own notes", async () => {
    const texts: Array<[string, string]> = [
      ['README.md', readFileSync(path.join(REPO, 'README.md'), 'utf8')],
      ['examples/README.md', readFileSync(path.join(REPO, 'examples/README.md'), 'utf8')],
    ];
    for (const c of ['', 'up', 'down', 'list', 'status', 'kubeconfig', 'logs', 'node', 'dns', 'run', 'load', 'top', 'dashboard', 'demo']) {
      const r = await runCli(c ? [c, '--help'] : ['--help'], { LOOPKUBE_HOME: '/nonexistent/loopkube-home' });
      texts.push([`loopkube ${c} --help`, r.stdout]);
    }
    for (const [where, text] of texts) {
      expect(text, where).not.toMatch(/\.\.\/shared|source notes|SEED\.md|the notes (say|claim)/i);
    }
    // every relative link of a README points at a file or folder of the repo
    for (const [where, text] of texts.filter(([w]) => w.endsWith('.md'))) {
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1]!)) continue;
        expect(existsSync(path.join(REPO, path.dirname(where), m[1]!)), `${where}: ${m[1]}`).toBe(true);
      }
    }
  });

  it("a YAML error keeps the parser's snippet: the line and a caret under the spot", async () => {
    const { cli, configFile } = await sandbox();
    writeFileSync(configFile, 'kind: Cluster\nname: [x\nfoo: : bar\n');
    const r = await cli('up', '--config', configFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error converting YAML to JSON: .* at line 3, column 1:\n {6}name: \[x\n {6}foo: : bar\n {6}\^/);
  });

  it('a cluster file with an error names the field and starts nothing', async () => {
    const { cli, configFile, home } = await sandbox();
    writeFileSync(configFile, 'kind: Cluster\napiVersion: loopkube.dev/v1alpha1\nproxy: { mode: ipvs }\nnetworking: { podSubnet: 10.0.0.0/16 }\n');
    const r = await cli('up', '--config', configFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('proxy.mode: Unsupported value: "ipvs"');
    expect(r.stderr).toContain('networking.podSubnet: Invalid value: "10.0.0.0/16"');
    expect(existsSync(home)).toBe(false);
  });
});

describe('command line: a cluster that does not exist', () => {
  it('status exits 1, down says so and exits 0, kubeconfig exits 1 and prints nothing on stdout', async () => {
    const { cli, name } = await sandbox();
    const status = await cli('status', '--name', name);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`cluster "${name}" does not exist; there are no clusters yet. Create it with: loopkube up --name ${name}`);
    const down = await cli('down', '--name', name);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`cluster "${name}" is not running`);
    const kc = await cli('kubeconfig', '--name', name);
    expect(kc.code).toBe(1);
    expect(kc.stdout).toBe('');
    expect(kc.stderr).toContain(`cluster "${name}" does not exist`);
    // what export KUBECONFIG=$(loopkube kubeconfig) leaves behind is said, since stdout was not a terminal
    expect(kc.stderr).toContain('KUBECONFIG is now empty');
  });
});

describe('command line: cluster lifecycle (stand-in processes)', () => {
  it('up, status, kubectl, node stop/start, down, up again with the same credentials, down --purge', async () => {
    const { cli, name, home, configFile, kubeconfig, apiPort } = await sandbox();

    const up = await cli('up', '--config', configFile, '--nodes', '2');
    expect(up.code, up.stderr).toBe(0);
    for (const p of ['control-plane', 'node-1', 'node-2', 'proxy']) expect(up.stdout).toMatch(new RegExp(`^${p}\\s`, 'm'));
    expect(up.stdout).toMatch(/^NAME\s+COMPONENT\s+PID\s+ADDRESS$/m);
    expect(up.stdout).toContain(`kubectl now uses it: context "loopkube-${name}"`);

    const st = await statusJson(cli, name);
    expect(st.cluster).toBe(name);
    expect(st.home).toBe(home);
    expect(st.processes.map((p) => [p.name, p.component, p.state, p.healthy])).toEqual([
      ['control-plane', 'control-plane', 'running', true],
      ['node-1', 'node', 'running', true],
      ['node-2', 'node', 'running', true],
      ['proxy', 'proxy', 'running', true],
    ]);
    expect(st.processes[0].address).toBe(`127.0.0.1:${apiPort}`);
    const table = await cli('status', '--name', name);
    expect(table.stdout).toMatch(/^NAME\s+COMPONENT\s+PID\s+ADDRESS\s+STATE\s+HEALTH/m);
    expect(table.stdout).toMatch(/^node-2\s+node\s+\d+\s+127\.\S+\s+running\s+healthy/m);

    // kubectl trusts the cluster CA from the kubeconfig and reaches the (stand-in) API server
    expect(execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { encoding: 'utf8' })).toMatch(/^ok control-plane/);
    expect((await cli('kubeconfig', '--name', name)).stdout.trim()).toBe(kubeconfig);

    const again = await cli('up', '--name', name);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`cluster "${name}" is already running`);
    // the only cluster there is: `loopkube down` means it, no --name needed
    expect(again.stderr).toMatch(/Or stop it: {2}loopkube down$/m);

    const node2 = st.processes.find((p) => p.name === 'node-2');
    const stop = await cli('node', 'stop', 'node-2', '--name', name);
    expect(stop.code, stop.stderr).toBe(0);
    expect(alive(node2?.pid as number)).toBe(false);
    const afterStop = await statusJson(cli, name);
    expect(afterStop.processes.find((p) => p.name === 'node-2')).toMatchObject({ state: 'stopped', pid: null, healthy: false });
    const missing = await cli('node', 'stop', 'node-7', '--name', name);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`node "node-7" not found in cluster "${name}"; its nodes are: node-1, node-2`);
    const start = await cli('node', 'start', 'node-2', '--name', name);
    expect(start.code, start.stderr).toBe(0);
    expect((await statusJson(cli, name)).processes.find((p) => p.name === 'node-2')).toMatchObject({ state: 'running', healthy: true });

    const pids = (await statusJson(cli, name)).processes.map((p) => p.pid as number);
    const supervisorPid = Number(readFileSync(path.join(home, 'pids', 'supervisor.pid'), 'utf8'));
    const token = readFileSync(path.join(home, 'pki', 'token'), 'utf8');
    const ca = readFileSync(path.join(home, 'pki', 'ca.crt'), 'utf8');

    const down = await cli('down', '--name', name);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`Stopped cluster "${name}"`);
    for (const pid of [...pids, supervisorPid]) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect((await cli('status', '--name', name)).code).toBe(1);

    // state persists across down/up: same credentials, same address plan, same node count
    const up2 = await cli('up', '--name', name);
    expect(up2.code, up2.stderr).toBe(0);
    expect(readFileSync(path.join(home, 'pki', 'token'), 'utf8')).toBe(token);
    expect(readFileSync(path.join(home, 'pki', 'ca.crt'), 'utf8')).toBe(ca);
    expect((await statusJson(cli, name)).processes.map((p) => p.name)).toEqual(['control-plane', 'node-1', 'node-2', 'proxy']);
    expect(execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { encoding: 'utf8' })).toMatch(/^ok/);

    const purge = await cli('down', '--name', name, '--purge');
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain(`Removed ${home}`);
    expect(existsSync(home)).toBe(false);
  });

  it('refuses to change the address plan of an existing cluster', async () => {
    const { cli, name, configFile } = await sandbox();
    expect((await cli('up', '--config', configFile, '--nodes', '0')).code).toBe(0);
    expect((await cli('down', '--name', name)).code).toBe(0);
    writeFileSync(configFile, `${readFileSync(configFile, 'utf8')}  nodePortRange: "31000-31999"\n`);
    const r = await cli('up', '--config', configFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('networking.nodePortRange: Invalid value: "31000-31999"');
    expect(r.stderr).toContain(`loopkube down --name ${name} --purge`);
  });

  it('a taken API port is named, with --api-port, before anything starts', async () => {
    const { cli, configFile, apiPort, home } = await sandbox();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(apiPort, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const r = await cli('up', '--config', configFile, '--nodes', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${apiPort} is already in use`);
    expect(r.stderr).toContain('--api-port');
    expect(existsSync(path.join(home, 'pids', 'supervisor.pid'))).toBe(false);
  });

  it('a process that keeps exiting: up stops waiting, names it with its exit code and log, stops the cluster, exits 1', async () => {
    const root = standInProcessRoot();
    writeFileSync(path.join(root, 'dist/src/controlplane/main.js'), "console.error('boom: cannot open the store'); process.exit(3);\n");
    const { cli, configFile, home } = await sandbox({ processRoot: root });
    // the default --wait is 30s: the crash loop, not the time, ends the wait
    const r = await cli('up', '--config', configFile, '--nodes', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot start: control-plane exited twice during start-up');
    expect(r.stderr).toContain('- control-plane (exit code 3)');
    expect(r.stderr).toContain('boom: cannot open the store');
    expect(r.stderr).toContain('The cluster was stopped');
    expect(existsSync(path.join(home, 'pids', 'supervisor.pid'))).toBe(false);
  });

  it('a process that never turns healthy: up waits --wait, names it, stops the cluster, exits 1', async () => {
    const root = standInProcessRoot();
    // alive, logging, never serving its health check
    writeFileSync(path.join(root, 'dist/src/controlplane/main.js'), "console.error('still opening the store'); setInterval(() => {}, 1000);\n");
    const { cli, configFile, home } = await sandbox({ processRoot: root });
    const r = await cli('up', '--config', configFile, '--nodes', '0', '--wait', '3s');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not become ready within 3s: not healthy: control-plane');
    expect(r.stderr).toContain('The cluster was stopped');
    expect(existsSync(path.join(home, 'pids', 'supervisor.pid'))).toBe(false);
  });

  it('--redis without redis-server on PATH names the Debian package', async () => {
    const { configFile, env } = await sandbox();
    const emptyPath = tempDir('loopkube-path-');
    cleanups.push(() => removeDir(emptyPath));
    const r = await runCli(['up', '--config', configFile, '--redis'], { ...env, PATH: emptyPath });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('redis-server was not found on PATH');
    expect(r.stderr).toContain('apt-get install redis-server');
  });

  it('--etcd without etcd on PATH names the Debian package, and what to use instead', async () => {
    const { configFile, env } = await sandbox();
    const emptyPath = tempDir('loopkube-path-');
    cleanups.push(() => removeDir(emptyPath));
    const r = await runCli(['up', '--config', configFile, '--etcd=3'], { ...env, PATH: emptyPath });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('etcd was not found on PATH: --etcd runs an etcd of the cluster\'s own');
    expect(r.stderr).toContain('apt-get install etcd-server');
    expect(r.stderr).toContain('--store etcd://HOST:PORT');
  });
});


describe('command line: --redis', () => {
  it('starts a redis-server first, keeps the store in it; a SIGKILLed supervisor is replaced and down stops everything', async () => {
    const { cli, name, configFile, home } = await sandbox();
    const up = await cli('up', '--config', configFile, '--nodes', '1', '--redis');
    expect(up.code, up.stderr).toBe(0);
    const st = await statusJson(cli, name);
    expect(st.processes.map((p) => [p.name, p.component, p.healthy])).toEqual([
      ['redis', 'redis', true],
      ['control-plane', 'control-plane', true],
      ['node-1', 'node', true],
      ['proxy', 'proxy', true],
    ]);
    const config = JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as ClusterConfig;
    expect(config.managedRedis?.port).toBeGreaterThan(0);
    expect(config.store).toBe(`redis://127.0.0.1:${config.managedRedis?.port}/0`);
    expect(st.processes[0].address).toBe(`127.0.0.1:${config.managedRedis?.port}`);
    await waitFor('the append-only file', () => existsSync(path.join(home, 'redis')) && readdirSync(path.join(home, 'redis')).length > 0);

    // the supervisor dies: every process runs on, and a new supervisor adopts them all
    const supervisorPid = Number(readFileSync(path.join(home, 'pids', 'supervisor.pid'), 'utf8'));
    process.kill(supervisorPid, 'SIGKILL');
    const pids = st.processes.map((p) => p.pid as number);
    const adopted = await waitFor('a new supervisor', async () => {
      const s = await statusJson(cli, name);
      return s.supervisorPid !== supervisorPid && s.processes.every((p) => p.healthy) && s;
    });
    expect(adopted.processes.map((p) => p.pid)).toEqual(pids);
    const down = await cli('down', '--name', name);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('redis');
    for (const pid of [...pids, adopted.supervisorPid]) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});


describe('command line: the real control plane', () => {
  it('up --nodes 0 serves kubectl over TLS with the token, keeps its folder to its owner (fixing it at the next up); down stops it', async () => {
    const { cli, name, configFile, kubeconfig, home } = await sandbox({ processRoot: null });
    mkdirSync(home, { recursive: true });
    const up = await cli('up', '--config', configFile, '--nodes', '0');
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const st = await statusJson(cli, name);
    // --nodes 0: the control plane, the proxy (it serves the `kubernetes` ClusterIP), the cluster
    // DNS (a process of its own) and the ingress controller, no nodes
    expect(st.processes.map((p) => [p.name, p.healthy])).toEqual([
      ['control-plane', true],
      ['proxy', true],
      ['dns', true],
      ['ingress', true],
    ]);
    const config = JSON.parse(readFileSync(path.join(home, 'cluster.json'), 'utf8')) as ClusterConfig;
    expect(config.nodes).toEqual([]);
    await waitFor('kubectl get namespaces', () =>
      execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'namespaces', '-o', 'name'], { encoding: 'utf8' }).includes('namespace/default'),
    );
    // the cluster's folder is its owner's only: folders 700, files 600 (store, logs, credentials...)
    expect(looseModes(home)).toEqual([]);
    expect(statSync(home).mode & 0o777).toBe(0o700);

    expect((await cli('down', '--name', name)).code).toBe(0);
    expect(st.processes.every((p) => !alive(p.pid as number))).toBe(true);

    // something made files readable by others meanwhile: the next up says so and fixes it
    const journal = readdirSync(path.join(home, 'store')).map((f) => path.join(home, 'store', f)).find((f) => statSync(f).isFile())!;
    chmodSync(journal, 0o644);
    chmodSync(path.join(home, 'logs'), 0o755);
    const again = await cli('up', '--config', configFile, '--nodes', '0');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/readable by other users.*made them the owner's only/);
    expect(looseModes(home)).toEqual([]);
    expect((await cli('down', '--name', name)).code).toBe(0);
  });
});

/** Files and folders under `dir` that group or others may read, write or enter. */
function looseModes(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) out.push(`${path.relative(dir, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
  return out;
}
