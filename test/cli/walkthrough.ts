// The README's walk-through, run as a newcomer runs it: a fresh HOME (so ~/.loopkube and
// ~/.kube/config are the defaults, KUBECONFIG unset), the real CLI, the real kubectl, curl and
// dig, one step per README line, in order. As root every command works; as an unprivileged
// user (uid 65534 through setpriv) every command works or prints the fix the README documents
// for ports below 1024. Each step names the README line it runs, and the line must be in the
// README, so the two cannot drift apart.
//
// Deviations from the README, all for running beside other tests: `up` gets a cluster file
// with an address block and API port of the test's own (test/support/address-block.ts); the
// placeholders (<pod IP>, <nodePort>, <ClusterIP>, 127.10.0.N) are filled from that block; the
// CLI is `node <root>/dist/src/cli/main.js` rather than `npx loopkube` (npx would build the
// package first); `top` runs with --once and `logs` without -f.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAddressBlock, type AddressBlock } from '../support/address-block.js';
import { killLeftovers, pidsUnder, run, type RunResult } from '../support/cluster.js';
import { REPO, freePort, waitFor } from '../support/wait.js';

export interface WalkthroughUser {
  /** How the user is named in the test's title. */
  title: string;
  /** null: this process's own user (root in CI). */
  uid: number | null;
  gid: number | null;
}

export const NOBODY: WalkthroughUser = { title: 'an unprivileged user (uid 65534)', uid: 65534, gid: 65534 };
export const ROOT: WalkthroughUser = { title: 'root', uid: null, gid: null };

const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The README's web.yaml, as the walk-through shows it. */
function readmeWebYaml(): string {
  const m = /```yaml\n# web\.yaml\n([\s\S]*?)```/.exec(README);
  if (!m) throw new Error('README.md has no ```yaml block starting with "# web.yaml"');
  return m[1]!;
}

/**
 * A copy of what the CLI runs (dist/, package.json, the production packages) in a folder every
 * user can read, for a uid that may not be able to reach the checkout (CI clones under /root).
 */
export function stagePackage(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'loopkube-walk-pkg-'));
  chmodSync(root, 0o755);
  cpSync(path.join(REPO, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  cpSync(path.join(REPO, 'examples'), path.join(root, 'examples'), { recursive: true });
  let listed = '';
  try {
    listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    listed = String((err as { stdout?: string }).stdout ?? '');
  }
  for (const dir of listed.split('\n').slice(1).filter(Boolean)) {
    const rel = path.relative(REPO, dir);
    if (rel.startsWith('..') || !existsSync(dir)) continue;
    cpSync(dir, path.join(root, rel), { recursive: true, dereference: true });
  }
  execFileSync('chmod', ['-R', 'a+rX', root]);
  return root;
}

interface Ctx {
  user: WalkthroughUser;
  /** The package the CLI runs from. */
  root: string;
  home: string;
  block: AddressBlock;
  /** State carried from one step to the next. */
  podIPs: string[];
  pods: string[];
  clusterIP: string;
  nodePort: number;
  /** `sh`-free command runner as the user, with the newcomer's environment. */
  as(command: string, args: string[], timeoutMs?: number): Promise<RunResult>;
  loopkube(...args: string[]): Promise<RunResult>;
  kubectl(...args: string[]): Promise<RunResult>;
}

/** GET a URL from this process; status and body. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const unprivileged = (c: Ctx): boolean => c.user.uid !== null && c.user.uid !== 0;

/** How a request from 127.0.0.1 to `ip:port` ends: 'answered', or the socket's error code. */
function connectOutcome(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port }, () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', () => {
      s.destroy();
      resolve('answered');
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    s.on('close', () => resolve('closed'));
  });
}

interface Step {
  /** The README line this step runs (it must be in the README, verbatim). */
  readme: string;
  check(c: Ctx): Promise<void>;
}

const STEPS: Step[] = [
  {
    readme: 'npx loopkube up                       # control plane + 3 nodes + proxy; kubectl now uses it',
    async check(c) {
      let r: RunResult | undefined;
      for (let attempt = 1; attempt <= 3; attempt++) {
        const file = path.join(c.home, 'cluster.yaml');
        writeFileSync(
          file,
          `kind: Cluster\napiVersion: loopkube.dev/v1alpha1\nnetworking:\n  apiServerPort: ${await freePort()}\n` +
            `  nodeSubnet: ${c.block.nodeSubnet}\n  podSubnet: ${c.block.podSubnet}\n  serviceSubnet: ${c.block.serviceSubnet}\n  loadBalancerPool: ${c.block.loadBalancerPool}\n`,
        );
        if (c.user.uid !== null) chownSync(file, c.user.uid, c.user.gid!);
        r = await c.loopkube('up', '--config', file);
        if (r.code === 0 || !/already in use/.test(r.stderr)) break;
        // someone else's cluster on these addresses: another block
        await c.loopkube('down', '--purge');
        c.block.release();
        c.block = claimAddressBlock();
      }
      expect(r!.code, `${r!.stdout}\n${r!.stderr}`).toBe(0);
      expect(r!.stdout).toContain(`kubectl now uses it: context "loopkube-default" in ${c.home}/.kube/config`);
      const svc = c.block.serviceSubnet.replace(/\.0\/\d+$/, '');
      if (unprivileged(c)) {
        expect(r!.stdout.match(/Note: ports below 1024 need privileges/g)).toHaveLength(1);
        expect(r!.stdout).toContain(`- default/kubernetes:https: clusterIP ${svc}.1:443`);
        expect(r!.stdout).toMatch(new RegExp(`- cluster DNS: answers on ${svc.replace(/\./g, '\\.')}\\.10 port \\d+ instead of 53`));
        expect(r!.stdout).toContain('sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0');
        expect(r!.stdout).toContain("echo 'net.ipv4.ip_unprivileged_port_start=0' | sudo tee /etc/sysctl.d/60-loopkube-unprivileged-ports.conf");
      } else {
        expect(r!.stdout).not.toContain('Note:');
      }
    },
  },
  {
    readme: 'kubectl get nodes -o wide             # node-1..3 at 127.10.0.1..3',
    async check(c) {
      // no --kubeconfig, no KUBECONFIG: ~/.kube/config, as up left it
      const out = await waitFor('3 Ready nodes', async () => {
        const r = await c.kubectl('get', 'nodes', '-o', 'wide', '--no-headers');
        return r.code === 0 && r.stdout.trim().split('\n').filter((l) => /\sReady\s/.test(l)).length === 3 ? r.stdout : undefined;
      });
      for (const n of [1, 2, 3]) expect(out).toMatch(new RegExp(`^node-${n}\\s+Ready\\s.*\\s${c.block.nodeIP(n).replace(/\./g, '\\.')}\\s`, 'm'));
    },
  },
  {
    readme: 'kubectl get ns',
    async check(c) {
      const r = await c.kubectl('get', 'ns');
      expect(r.code, r.stderr).toBe(0);
      for (const ns of ['default', 'kube-system', 'kube-node-lease']) expect(r.stdout).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
    },
  },
  {
    readme: 'kubectl create ns demo',
    async check(c) {
      const r = await c.kubectl('create', 'ns', 'demo');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('namespace/demo created');
    },
  },
  {
    readme: 'kubectl get svc -A -o wide            # the `kubernetes` service at 127.96.0.1:443, kube-dns at 127.96.0.10',
    async check(c) {
      const r = await c.kubectl('get', 'svc', '-A', '-o', 'wide');
      expect(r.code, r.stderr).toBe(0);
      const svc = c.block.serviceSubnet.replace(/\.0\/\d+$/, '').replace(/\./g, '\\.');
      expect(r.stdout).toMatch(new RegExp(`^default\\s+kubernetes\\s+ClusterIP\\s+${svc}\\.1\\s+<none>\\s+443/TCP`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^kube-system\\s+kube-dns\\s+ClusterIP\\s+${svc}\\.10\\s`, 'm'));
    },
  },
  {
    readme: 'kubectl apply -f web.yaml',
    async check(c) {
      const file = path.join(c.home, 'web.yaml');
      writeFileSync(file, readmeWebYaml());
      chmodSync(file, 0o644);
      const r = await c.kubectl('apply', '-f', file);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('replicationcontroller/web created');
      expect(r.stdout).toContain('service/web created');
    },
  },
  {
    readme: 'kubectl get pods -o wide              # three pods, each with its own IP, spread over the nodes',
    async check(c) {
      const rows = await waitFor('3 pods Running with IPs', async () => {
        const r = await c.kubectl('get', 'pods', '-o', 'wide', '--no-headers');
        const running = r.stdout.trim().split('\n').filter((l) => /\sRunning\s/.test(l)).map((l) => l.split(/\s+/));
        return running.length === 3 ? running : undefined;
      });
      c.pods = rows.map((r) => r[0]!);
      c.podIPs = rows.map((r) => r[5]!);
      for (const ip of c.podIPs) expect(ip.startsWith(c.block.podSubnet.split('.').slice(0, 2).join('.'))).toBe(true);
      expect(new Set(c.podIPs).size).toBe(3);
      // spread over the nodes
      expect(new Set(rows.map((r) => r[6])).size).toBe(3);
    },
  },
  {
    readme: 'kubectl describe svc web              # endpoints: the three pod IPs',
    async check(c) {
      const out = await waitFor('the three endpoints (and, unprivileged, the FailedToOpenPort Event)', async () => {
        const r = await c.kubectl('describe', 'svc', 'web');
        const ok = c.podIPs.every((ip) => r.stdout.includes(`${ip}:8080`)) && (!unprivileged(c) || r.stdout.includes('FailedToOpenPort'));
        return ok ? r.stdout : undefined;
      });
      c.clusterIP = /^IP:\s+(\S+)$/m.exec(out)![1]!;
      c.nodePort = Number(/^NodePort:\s+<unset>\s+(\d+)\/TCP$/m.exec(out)![1]);
      if (unprivileged(c)) {
        expect(out).toContain(`can't open clusterIP ${c.clusterIP}:80/tcp`);
        expect(out).toContain('sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0');
      } else {
        expect(out).not.toContain('FailedToOpenPort');
      }
    },
  },
  {
    readme: 'curl http://<pod IP>:8080/            # {"pod":"web-x7k2p","podIP":"127.244.2.2","node":"node-2",...}',
    async check(c) {
      const r = await c.as('curl', ['-sS', '-m', '5', `http://${c.podIPs[0]}:8080/`]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ pod: c.pods[0], podIP: c.podIPs[0] });
    },
  },
  {
    readme: 'curl http://127.10.0.1:<nodePort>/    # the NodePort, on every node',
    async check(c) {
      for (const n of [1, 2, 3]) {
        const r = await c.as('curl', ['-sS', '-m', '5', `http://${c.block.nodeIP(n)}:${c.nodePort}/`]);
        expect(r.code, r.stderr).toBe(0);
        expect(c.pods).toContain((JSON.parse(r.stdout) as { pod: string }).pod);
      }
    },
  },
  {
    readme: 'kubectl delete pod <one of them>      # the RC replaces it: new name, new IP',
    async check(c) {
      const r = await c.kubectl('delete', 'pod', c.pods[0]!);
      expect(r.code, r.stderr).toBe(0);
      const rows = await waitFor('a replacement Running', async () => {
        const g = await c.kubectl('get', 'pods', '-o', 'wide', '--no-headers');
        const running = g.stdout.trim().split('\n').filter((l) => /\sRunning\s/.test(l)).map((l) => l.split(/\s+/));
        return running.length === 3 && !running.some((row) => row[0] === c.pods[0]) ? running : undefined;
      });
      const fresh = rows.find((row) => !c.pods.includes(row[0]!))!;
      expect(fresh[0]).not.toBe(c.pods[0]);
      expect(fresh[5]).not.toBe(c.podIPs[0]);
    },
  },
  {
    readme: 'kubectl scale rc web --replicas=5',
    async check(c) {
      const r = await c.kubectl('scale', 'rc', 'web', '--replicas=5');
      expect(r.code, r.stderr).toBe(0);
      await waitFor('5 pods Running', async () => {
        const g = await c.kubectl('get', 'pods', '--no-headers');
        return g.stdout.trim().split('\n').filter((l) => /\sRunning\s/.test(l)).length === 5;
      });
    },
  },
  {
    readme: 'kubectl get events',
    async check(c) {
      const r = await c.kubectl('get', 'events');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/SuccessfulCreate\s+replicationcontroller\/web/);
    },
  },
  {
    readme: 'npx loopkube run svc/web                                   # from node-1\'s address: {"pod":..,"clientIP":"127.10.0.1"}',
    async check(c) {
      const r = await c.loopkube('run', 'svc/web');
      if (unprivileged(c)) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`error: ${c.clusterIP}:80: connection refused: the proxy could not open default/web clusterIP ${c.clusterIP}:80: permission denied`);
        expect(r.stderr).toContain('sudo sysctl -w net.ipv4.ip_unprivileged_port_start=0');
      } else {
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ clientIP: c.block.nodeIP(1) });
      }
    },
  },
  {
    readme: "curl --interface 127.10.0.2 http://<ClusterIP>/            # the same by hand, from node-2's address",
    async check(c) {
      const r = await c.as('curl', ['-sS', '-m', '5', '--interface', c.block.nodeIP(2), `http://${c.clusterIP}/`]);
      if (unprivileged(c)) {
        // nothing listens on the ClusterIP's port 80: refused, as `up` and the Event said
        expect(r.code).toBe(7);
        expect(r.stderr).toMatch(/Connection refused|Couldn't connect/);
      } else {
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ clientIP: c.block.nodeIP(2) });
      }
    },
  },
  {
    readme: 'curl http://<ClusterIP>/                                   # from 127.0.0.1, outside the cluster: reset by the proxy',
    async check(c) {
      const r = await c.as('curl', ['-sS', '-m', '5', `http://${c.clusterIP}/`]);
      // 56 "Connection reset by peer", or 7 when the reset beats curl's connect (README); 7 when refused
      expect([7, 56]).toContain(r.code);
      expect(r.stdout).toBe('');
      // which of the two, told apart by the socket: reset by the proxy (root), refused (no listener)
      expect(await connectOutcome(c.clusterIP, 80)).toBe(unprivileged(c) ? 'ECONNREFUSED' : 'ECONNRESET');
    },
  },
  {
    readme: 'npx loopkube load svc/web --connections 20 --requests 3000 # requests per pod and node, p50/p90/p99, fairness',
    async check(c) {
      const r = await c.loopkube('load', 'svc/web', '--connections', '20', '--requests', '3000');
      if (unprivileged(c)) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`note: the proxy could not open default/web clusterIP ${c.clusterIP}:80: permission denied`);
      } else {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/Requests:\s+3,000 answered/);
      }
    },
  },
  {
    readme: 'npx loopkube load svc/web --new-connection -d 5s           # one connection per request: an even spread',
    async check(c) {
      const r = await c.loopkube('load', 'svc/web', '--new-connection', '-d', '5s');
      if (unprivileged(c)) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('note: the proxy could not open default/web clusterIP');
      } else {
        expect(r.code, r.stderr).toBe(0);
        for (const n of [1, 2, 3]) expect(r.stdout).toContain(`node-${n}`);
      }
    },
  },
  {
    readme: 'npx loopkube top                                           # live, in the terminal',
    async check(c) {
      const r = await c.loopkube('top', '--once');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('default/web');
    },
  },
  {
    readme: 'npx loopkube dashboard                                     # live, in the browser',
    async check(c) {
      const r = await c.loopkube('dashboard');
      expect(r.code, r.stderr).toBe(0);
      const page = await get(r.stdout.trim());
      expect(page.status).toBe(200);
    },
  },
  {
    readme: 'npx loopkube dns web                                       # the dig command for web.default.svc.cluster.local, and its answer',
    async check(c) {
      const r = await c.loopkube('dns', 'web');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`web.default.svc.cluster.local -> ${c.clusterIP}`);
      if (unprivileged(c)) expect(r.stdout).toMatch(/port \d+\n {2}Not 53: ports below 1024 need privileges[\s\S]*sudo sysctl -w net\.ipv4\.ip_unprivileged_port_start=0/);
      else expect(r.stdout).toMatch(/ port 53\n/);
      // the printed dig commands, run as printed, answer with the ClusterIP (UDP, and TCP from a node)
      for (const line of r.stdout.split('\n').filter((l) => l.startsWith('dig '))) {
        const args = line.replace(/\s+#.*$/, '').split(/\s+/).slice(1);
        const d = await c.as('dig', ['+short', '+time=2', '+tries=2', ...args]);
        expect(d.stdout.trim(), line).toBe(c.clusterIP);
      }
    },
  },
  {
    readme: 'npx loopkube demo                                          # the scenarios in examples/, end to end',
    async check(c) {
      const r = await c.loopkube('demo');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('nodeport-every-node');
    },
  },
  {
    readme: 'npx loopkube status                   # each process, its health, and any Service address the proxy could not open',
    async check(c) {
      const r = await c.loopkube('status');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^proxy\s+proxy\s+\d+\s+\S+\s+running\s+healthy/m);
      if (unprivileged(c)) {
        expect(r.stdout).toMatch(/The proxy could not open these \d+ addresses/);
        expect(r.stdout).toContain(`default/web clusterIP ${c.clusterIP}:80: permission denied`);
      } else {
        expect(r.stdout).not.toContain('could not open');
      }
    },
  },
  {
    readme: 'npx loopkube logs proxy -f            # the proxy\'s log, readable (JSON when piped: loopkube logs | jq)',
    async check(c) {
      const r = await c.loopkube('logs', 'proxy');
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { component: string; msg: string; level: number });
      expect(lines.every((l) => l.component === 'proxy')).toBe(true);
      // the start-up race with the API server is no warning, in any process
      const warns = await c.loopkube('logs', '--level', 'warn');
      expect(warns.stdout).not.toMatch(/API server is not reachable|waiting for the API server|cannot reach the traffic hub/);
    },
  },
  {
    readme: 'npx loopkube list                     # every cluster: state, nodes, pods, API address, age',
    async check(c) {
      const r = await c.loopkube('list');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\*\s+default\s+running\s+3\s+5\s+https:\/\/127\.0\.0\.1:\d+\s+\S+$/m);
    },
  },
  {
    readme: 'npx loopkube down                     # stops every process; `up` again resumes where you were',
    async check(c) {
      const r = await c.loopkube('down');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Stopped cluster "default"');
      expect((await c.kubectl('get', 'nodes')).code).not.toBe(0);
    },
  },
  {
    readme: 'npx loopkube down --purge             # ... and forgets the cluster, its context included',
    async check(c) {
      const r = await c.loopkube('down', '--purge');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Removed context loopkube-default from ${c.home}/.kube/config`);
      expect(readFileSync(path.join(c.home, '.kube', 'config'), 'utf8')).not.toContain('loopkube-default');
      expect(existsSync(path.join(c.home, '.loopkube', 'default'))).toBe(false);
    },
  },
];

export function walkthrough(user: WalkthroughUser): void {
  describe(`the README's walk-through, as ${user.title}`, () => {
    const c = {} as Ctx;

    beforeAll(() => {
      c.user = user;
      c.root = user.uid === null ? REPO : stagePackage();
      c.home = mkdtempSync(path.join(os.tmpdir(), 'loopkube-walk-home-'));
      if (user.uid !== null) chownSync(c.home, user.uid, user.gid!);
      c.block = claimAddressBlock();
      // what a newcomer's shell has: a PATH and a HOME; no KUBECONFIG, no LOOPKUBE_HOME
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: c.home, LANG: 'C.UTF-8' };
      const prefix = user.uid === null ? [] : ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];
      c.as = (command, args, timeoutMs = 90_000) => {
        const argv = [...prefix, command, ...args];
        return run(argv[0]!, argv.slice(1), env, { timeoutMs });
      };
      c.loopkube = (...args) => c.as(process.execPath, [path.join(c.root, 'dist/src/cli/main.js'), ...args]);
      c.kubectl = (...args) => c.as('kubectl', args);
      if (user.uid !== null) {
        const id = execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', 'id', '-u'], { encoding: 'utf8' }).trim();
        expect(id).toBe(String(user.uid));
      }
    });

    afterAll(async () => {
      // also when a step failed: stop and forget the cluster, then whatever is left
      await c.loopkube?.('down', '--purge');
      const state = path.join(c.home, '.loopkube');
      killLeftovers(pidsUnder(state), state);
      c.block?.release();
      rmSync(c.home, { recursive: true, force: true });
      if (c.root && c.root !== REPO) rmSync(c.root, { recursive: true, force: true });
    });

    for (const step of STEPS) {
      it(step.readme.replace(/\s+# .*$/, ''), async () => {
        expect(README, 'the README line this step runs').toContain(step.readme);
        await step.check(c);
      });
    }
  });
}
