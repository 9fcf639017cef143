// The toolbox's sh -c as busybox's sh answers the lines the official Python client's e2e suite
// (and tutorials) run through exec: for loops, $(...), seq, date, uptime, >&2 / 2>&1 /
// >/dev/null, and syntax errors in sh's words with status 2.
import { describe, expect, it } from 'vitest';
import { podFiles, type ToolboxPod } from '../../nodes/toolbox/context.js';
import { toolboxFs } from '../../nodes/toolbox/filesystem.js';
import { sh } from '../../nodes/toolbox/shell.js';
import { formatDate, formatUptime, seqLines } from '../../nodes/toolbox/system-tools.js';

const IDENTITY = { name: 'bb', namespace: 'default', podIP: '127.244.1.5', hostname: 'bb', env: { GREETING: 'hello there', PATH: '/bin' }, clusterDomain: 'cluster.local' };
const POD: ToolboxPod = { ...IDENTITY, files: toolboxFs(podFiles(IDENTITY), undefined, undefined) };

async function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await sh(['-c', line], POD, { stdout: (d) => (stdout += d), stderr: (d) => (stderr += d), tty: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const DATE = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d\d:\d\d:\d\d UTC \d{4}$/;

describe('toolbox sh -c', () => {
  const CASES: Array<{ line: string; code: number; stdout: string | RegExp; stderr?: string | RegExp }> = [
    { line: 'for i in $(seq 1 3); do echo $i; done', code: 0, stdout: '1\n2\n3\n' },
    { line: 'for i in a "b c" d; do echo "<$i>"; done', code: 0, stdout: '<a>\n<b c>\n<d>\n' },
    { line: 'for a in 1 2; do for b in x y; do echo $a$b; done; done', code: 0, stdout: '1x\n1y\n2x\n2y\n' },
    { line: 'for i in; do echo never; done; echo after', code: 0, stdout: 'after\n' },
    { line: 'for i in 1 2 3; do echo $i; exit 4; done; echo never', code: 4, stdout: '1\n' },
    { line: 'for i in 1 2; do false; done || echo failed', code: 0, stdout: 'failed\n' },
    { line: 'echo "$(echo a   b)" $(echo c   d)', code: 0, stdout: 'a b c d\n' },
    { line: "echo '$(not run)'", code: 0, stdout: '$(not run)\n' },
    { line: 'echo "[$(echo "in quotes")]"', code: 0, stdout: '[in quotes]\n' },
    { line: 'echo $(echo $(echo nested))', code: 0, stdout: 'nested\n' },
    { line: 'echo to-stderr >&2', code: 0, stdout: '', stderr: 'to-stderr\n' },
    { line: 'echo to-stderr 1>&2; echo out', code: 0, stdout: 'out\n', stderr: 'to-stderr\n' },
    { line: 'cat /nope 2>&1', code: 1, stdout: "cat: can't open '/nope': No such file or directory\n", stderr: '' },
    { line: 'cat /nope 2>/dev/null || echo missing', code: 0, stdout: 'missing\n', stderr: '' },
    { line: 'echo gone >/dev/null', code: 0, stdout: '', stderr: '' },
    { line: 'echo gone > /dev/null 2>&1', code: 0, stdout: '', stderr: '' },
    { line: 'echo "a > b" \'2>&1\'', code: 0, stdout: 'a > b 2>&1\n' },
    { line: 'echo x > /tmp/file', code: 2, stdout: '', stderr: /^sh: can't create \/tmp\/file: / },
    { line: 'seq 3', code: 0, stdout: '1\n2\n3\n' },
    { line: 'seq 5 -2 1', code: 0, stdout: '5\n3\n1\n' },
    { line: 'seq x', code: 1, stdout: '', stderr: "seq: invalid number 'x'\n" },
    { line: 'date', code: 0, stdout: new RegExp(`${DATE.source.slice(0, -1)}\n$`) },
    { line: 'uptime', code: 0, stdout: /^ \d\d:\d\d:\d\d up .*,  0 users,  load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d\n$/ },
    { line: 'for i in 1 2; echo $i; done', code: 2, stdout: '', stderr: 'sh: syntax error: unexpected "echo" (expecting "do")\n' },
    { line: 'for i in 1 2; do echo $i', code: 2, stdout: '', stderr: 'sh: syntax error: unexpected end of file (expecting "done")\n' },
    { line: 'done', code: 2, stdout: '', stderr: 'sh: syntax error: unexpected "done"\n' },
    { line: 'echo $(echo unclosed', code: 2, stdout: '', stderr: 'sh: syntax error: unterminated $(\n' },
    { line: 'echo a | wc', code: 2, stdout: '', stderr: /^sh: '\|' is not supported by this toolbox's sh/ },
    { line: 'echo "$GREETING" && echo second || echo never', code: 0, stdout: 'hello there\nsecond\n' },
  ];
  for (const k of CASES) {
    it(k.line, async () => {
      const r = await run(k.line);
      expect(r.code).toBe(k.code);
      if (typeof k.stdout === 'string') expect(r.stdout).toBe(k.stdout);
      else expect(r.stdout).toMatch(k.stdout);
      if (typeof k.stderr === 'string') expect(r.stderr).toBe(k.stderr);
      else if (k.stderr) expect(r.stderr).toMatch(k.stderr);
    });
  }
});

describe('busybox formats', () => {
  it('date pads the day with a space', () => {
    expect(formatDate(new Date(Date.UTC(2026, 11, 3, 8, 5, 2)), [])).toBe('Thu Dec  3 08:05:02 UTC 2026');
    expect(formatDate(new Date(Date.UTC(2026, 11, 3)), ['-I'])).toBe('2026-12-03');
  });
  it('uptime in minutes, hours and days', () => {
    const now = new Date(Date.UTC(2026, 0, 1, 18, 15, 2));
    expect(formatUptime(now, 600, [0.12, 0.08, 0.01])).toBe(' 18:15:02 up 10 min,  0 users,  load average: 0.12, 0.08, 0.01');
    expect(formatUptime(now, 2 * 86400 + 3 * 3600 + 4 * 60, [1, 2, 3])).toBe(' 18:15:02 up 2 days,  3:04,  0 users,  load average: 1.00, 2.00, 3.00');
  });
  it('seq counts down with a negative step and refuses a zero-length argument list', () => {
    expect(seqLines(['3', '1'])).toEqual([]);
    expect(seqLines(['1', '0.5', '2'])).toEqual(['1', '1.5', '2']);
    expect(typeof seqLines([])).toBe('string');
  });
});
