// pods/exec through Debian's python3-kubernetes (22.6.0), as the client's own e2e suite runs it
// (kubernetes/e2e_test/test_client.py test_exit_code): a WSClient read with run_forever until the
// server closes the stream, then the exit code the client parsed from the error channel.
// That client waits on its raw socket before reading each frame (kubernetes-client/python#2414),
// so a frame sharing a TLS record with one it already read is never seen: the API server passes
// every WebSocket frame on in a record of its own (src/apiserver/websocket-frames.ts); without
// that the stream stays open and returncode is None. Its write_stdin sends text frames, which
// the kubelet reads as binary ones (wsstream does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { pythonClient, type PythonClient } from './drivers.js';

let c: TestCluster;
let py: PythonClient;
const NS = 'default';
const POD = 'busybox-exec';

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  py = pythonClient(c.kubeconfig);
  await py.call({ op: 'createPod', namespace: NS, name: POD, image: 'busybox', args: ['/bin/sh', '-c', 'while true;do date;sleep 5; done'] });
  await waitFor('the pod to run', async () => (await py.call<{ phase: string }>({ op: 'readPodPhase', namespace: NS, name: POD })).phase === 'Running', 60_000);
}, 120_000);

afterAll(async () => {
  await py?.close().catch(() => undefined);
  await c?.down();
});

interface ExecResult {
  open: boolean;
  returncode: number | null;
  stdout: string;
  stderr: string;
}

const CASES: Array<{ command: string[]; returncode: number; stdout: string; stderr: string }> = [
  { command: ['false'], returncode: 1, stdout: '', stderr: '' },
  { command: ['true'], returncode: 0, stdout: '', stderr: '' },
  { command: ['/bin/sh', '-c', 'exit 3'], returncode: 3, stdout: '', stderr: '' },
  { command: ['/bin/sh', '-c', 'sleep 1; exit 3'], returncode: 3, stdout: '', stderr: '' },
  { command: ['/bin/sh', '-c', 'echo hi; exit 3'], returncode: 3, stdout: 'hi\n', stderr: '' },
  { command: ['echo', 'one', 'two'], returncode: 0, stdout: 'one two\n', stderr: '' },
  { command: ['nosuchcommand'], returncode: 127, stdout: '', stderr: 'sh: nosuchcommand: not found\n' },
];

describe('python3-kubernetes exec: the stream closes and the exit code is the command\'s', () => {
  for (const k of CASES) {
    it(k.command.join(' '), async () => {
      const r = await py.call<ExecResult>({ op: 'exec', namespace: NS, name: POD, command: k.command, timeoutSeconds: 10 });
      expect(r.open).toBe(false);
      expect(r.returncode).toBe(k.returncode);
      expect(r.stdout).toBe(k.stdout);
      expect(r.stderr).toBe(k.stderr);
    }, 30_000);
  }

  it('an exec read with preloaded content returns the whole output', async () => {
    const r = await py.call<{ output: string }>({ op: 'execOutput', namespace: NS, name: POD, command: ['/bin/sh', '-c', 'for i in $(seq 1 3); do date; done'] });
    expect(r.output.split('\n').filter(Boolean)).toHaveLength(3);
  }, 30_000);

  it('sh over stdin: the client writes text frames; stdout, stderr (>&2), then exit\'s Success', async () => {
    const r = await py.call<{ answers: Array<string | null>; status: { status: string } | null; open: boolean }>({
      op: 'execInteractive',
      namespace: NS,
      name: POD,
      lines: [
        ['echo test string 1', 'stdout'],
        ['echo test string 2 >&2', 'stderr'],
      ],
    });
    expect(r.answers).toEqual(['test string 1', 'test string 2']);
    expect(r.status?.status).toBe('Success');
    expect(r.open).toBe(false);
  }, 30_000);
});
