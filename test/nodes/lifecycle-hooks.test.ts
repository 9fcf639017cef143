// The forms of an exec hook the built-in app runs as a delay, and the env knobs of its shutdown
// and start-up, table-driven.
import { describe, expect, it } from 'vitest';
import { parseAppKnobs } from '../../nodes/app-knobs.js';
import { execSleepSeconds, runLifecycleHook } from '../../nodes/lifecycle-hooks.js';
import type { LifecycleHandler } from '../../src/api/types.js';

describe('execSleepSeconds', () => {
  it.each([
    [['sleep', '5'], 5],
    [['/bin/sleep', '5'], 5],
    [['/usr/bin/sleep', '1.5'], 1.5],
    [['sleep', '2s'], 2],
    [['sleep', '1m'], 60],
    [['sleep', '1', '2'], 3],
    [['sh', '-c', 'sleep 5'], 5],
    [['/bin/sh', '-c', 'sleep 10;'], 10],
    [['bash', '-c', 'exec sleep 3'], 3],
    [['sleep'], undefined],
    [['sleep', 'forever'], undefined],
    [['sleep', '-1'], undefined],
    [['sh', '-c', 'sleep 5 && nginx -s quit'], undefined],
    [['sh', '-c', 'echo hi'], undefined],
    [['nginx', '-s', 'quit'], undefined],
    [[], undefined],
  ] as const)('%j -> %s', (command, want) => {
    expect(execSleepSeconds(command)).toBe(want);
  });
});

describe('runLifecycleHook', () => {
  const ctx = (): Parameters<typeof runLifecycleHook>[1] => ({
    container: { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] },
    podIP: '127.0.0.1',
    podRef: 'web-1_default(uid-1)',
    msPerSecond: 1,
    signal: new AbortController().signal,
  });
  it.each<[string, LifecycleHandler, boolean, string]>([
    ['sleep action', { sleep: { seconds: 1 } }, true, ''],
    ['exec sleep', { exec: { command: ['sh', '-c', 'sleep 1'] } }, true, ''],
    ['exec of anything else', { exec: { command: ['nginx', '-s', 'quit'] } }, false, 'Exec lifecycle hook ([nginx -s quit]) for Container "app" in Pod "web-1_default(uid-1)" failed - error: '],
    ['httpGet to an unknown port name', { httpGet: { path: '/stop', port: 'admin' } }, false, 'HTTP lifecycle hook (/stop) for Container "app" in Pod "web-1_default(uid-1)" failed - error: unable to find port named "admin"'],
    ['tcpSocket (not supported as a hook, as upstream)', { tcpSocket: { port: 8080 } }, false, 'Cannot run handler: invalid handler: '],
  ])('%s', async (_name, handler, ok, message) => {
    const r = await runLifecycleHook(handler, ctx());
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.message.startsWith(message), r.message).toBe(true);
  });
});

describe('parseAppKnobs: shutdown and start-up', () => {
  it.each([
    [[{ name: 'ON_SIGTERM', value: 'exit' }], { onSigterm: 'exit' }, 0],
    [[{ name: 'ON_SIGTERM', value: 'Ignore' }], { onSigterm: 'ignore' }, 0],
    [[{ name: 'ON_SIGTERM', value: 'crash' }], { onSigterm: 'drain' }, 1],
    [[{ name: 'SIGTERM_DELAY_MS', value: '1500' }], { sigtermDelayMs: 1500 }, 0],
    [[{ name: 'SIGTERM_DELAY_MS', value: '-1' }], { sigtermDelayMs: 0 }, 1],
    [[{ name: 'STARTUP_DELAY_MS', value: '2000' }], { startupDelayMs: 2000 }, 0],
    [[{ name: 'STARTUP_DELAY_MS', value: 'soon' }], { startupDelayMs: 0 }, 1],
  ] as const)('%j', (env, want, problems) => {
    const got = parseAppKnobs([...env]);
    expect(got.knobs).toMatchObject(want);
    expect(got.problems).toHaveLength(problems);
  });
});
