// `npm run check:python-e2e -- CHECKOUT`: the official Python client's own end-to-end suite
// (kubernetes-client/python, kubernetes/e2e_test) against loopkube, with the client installed here
// (Debian's python3-kubernetes, /usr/bin/python3). CHECKOUT is a checkout of that repository at the
// tag that matches the installed client (22.6.0 on Debian 12: `git clone --branch v22.6.0
// https://github.com/kubernetes-client/python`); only its kubernetes/e2e_test is used, nothing of
// it is part of loopkube. Without --name it starts a throwaway 2-node cluster (its own
// LOOPKUBE_HOME and addresses), runs every test with KUBECONFIG pointing at it, prints one row per
// test (outcome, seconds, why) and removes the cluster. Exit 1 when a test failed.
//
//   npm run check:python-e2e -- ~/src/kubernetes-client-python
//   npm run check:python-e2e -- --name default --timeout 60 ~/src/python test_watch.TestClient.test_watch_configmaps
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { REPO, freePort, runAsScript, withCluster } from './bench-cluster.js';

export interface TestOutcome {
  id: string;
  outcome: 'pass' | 'fail' | 'error' | 'skip';
  seconds: number;
  message: string;
}

const PYTHON = '/usr/bin/python3';
const HARNESS = path.join(REPO, 'scripts/python-e2e.py');

const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/**
 * A cluster file whose subnets are picked at random outside both the default address plan and the
 * test suite's address blocks (test/support/address-block.ts), so the run meets neither.
 */
function clusterFileYaml(): string {
  return [
    'kind: Cluster',
    'apiVersion: loopkube.dev/v1alpha1',
    'networking:',
    `  nodeSubnet: 127.10.${randomInt(1, 99)}.0/24`,
    `  podSubnet: 127.${randomInt(188, 199)}.0.0/16`,
    `  serviceSubnet: 127.${randomInt(245, 254)}.0.0/16`,
    `  loadBalancerPool: 127.${randomInt(239, 243)}.${randomInt(0, 255)}.0/24`,
    '',
  ].join('\n');
}

/** Runs the harness; each test's outcome as it ends goes to `onTest`; the suite's own output to `log`. */
export function runSuite(checkout: string, kubeconfig: string, timeoutSeconds: number, only: string[], onTest: (t: TestOutcome) => void, log: (chunk: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [HARNESS, checkout, String(timeoutSeconds), ...only], {
      env: { ...process.env, KUBECONFIG: kubeconfig, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        onTest(JSON.parse(line) as TestOutcome);
      } catch {
        log(`${line}\n`);
      }
    });
    child.stderr.setEncoding('utf8').on('data', log);
    child.on('error', (err) => {
      log(`${PYTHON}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export function formatTable(tests: TestOutcome[]): string {
  const idWidth = Math.max(4, ...tests.map((t) => t.id.length));
  const lines = [`${'TEST'.padEnd(idWidth)}  RESULT  SECONDS  WHY`];
  for (const t of tests) lines.push(`${t.id.padEnd(idWidth)}  ${t.outcome.toUpperCase().padEnd(6)}  ${t.seconds.toFixed(1).padStart(7)}  ${t.message.slice(0, 160)}`);
  const count = (o: TestOutcome['outcome']): number => tests.filter((t) => t.outcome === o).length;
  lines.push('', `${count('pass')} passed, ${count('fail') + count('error')} failed, ${count('skip')} skipped by the suite, of ${tests.length}.`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, timeout: { type: 'string' }, nodes: { type: 'string' }, log: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [checkout, ...only] = positionals;
  if (!checkout) {
    process.stderr.write('usage: npm run check:python-e2e -- [--name CLUSTER] [--nodes 2] [--timeout SECONDS_PER_TEST] [--log FILE] [--json] CHECKOUT [test_module.Class.test ...]\n');
    return 2;
  }
  if (!existsSync(path.join(checkout, 'kubernetes/e2e_test/base.py'))) {
    process.stderr.write(`${checkout}: no kubernetes/e2e_test/base.py; clone https://github.com/kubernetes-client/python at the tag of the installed client\n`);
    return 2;
  }
  if (!existsSync(PYTHON)) {
    process.stderr.write(`${PYTHON} is missing (apt-get install python3-kubernetes)\n`);
    return 2;
  }
  const upArgs = async (home: string): Promise<string[]> => {
    const clusterFile = path.join(home, 'cluster.yaml');
    writeFileSync(clusterFile, clusterFileYaml());
    process.stderr.write(`starting a cluster in ${home} ...\n`);
    return ['--nodes', values.nodes ?? '2', '--config', clusterFile, '--api-port', String(await freePort()), '--no-kubeconfig'];
  };
  return withCluster(values.name, { name: 'e2e', prefix: 'loopkube-python-e2e-', upArgs }, async (kubeconfig, home) => {
    const logFile = values.log ?? (home ? path.join(home, 'suite.log') : path.join(os.tmpdir(), `loopkube-python-e2e-${process.pid}.log`));
    const logChunks: string[] = [];
    const tests: TestOutcome[] = [];
    await runSuite(
      path.resolve(checkout),
      kubeconfig,
      Number(values.timeout ?? '180'),
      only,
      (t) => {
        tests.push(t);
        if (!values.json) process.stderr.write(`${t.outcome.toUpperCase().padEnd(6)} ${t.id}\n`);
      },
      (chunk) => logChunks.push(chunk),
    );
    writeFileSync(logFile, logChunks.join(''));
    if (values.json) process.stdout.write(`${JSON.stringify(tests, null, 2)}\n`);
    else process.stdout.write(`\n${formatTable(tests)}\n(the suite's output: ${values.log ?? (home ? 'removed with the cluster; pass --log FILE to keep it' : logFile)})\n`);
    return tests.length > 0 && tests.every((t) => t.outcome === 'pass' || t.outcome === 'skip') ? 0 : 1;
  });
}

runAsScript(import.meta.url, 'python-e2e', main);
