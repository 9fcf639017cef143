// The node's container log store: instances (current and previous), rotation bounded in size,
// older instances removed, and a log that survives the node process (read back from its folder).
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContainerLog } from '../../nodes/container-logs.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kubelet-logs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('container log', () => {
  it('keeps the current and the previous instance only', () => {
    const dir = tempDir();
    const log = createContainerLog({ dir });
    for (let i = 0; i < 4; i++) {
      log.newInstance(i);
      log.write('stdout', `run ${i}`);
    }
    expect(log.entries(false)!.map((e) => e.text)).toEqual(['run 3']);
    expect(log.entries(true)!.map((e) => e.text)).toEqual(['run 2']);
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['2.log', '3.log']);
  });

  it('rotates past maxBytes, so an instance takes at most about twice that', () => {
    const dir = tempDir();
    const log = createContainerLog({ dir, maxBytes: 4096 });
    log.newInstance(0);
    for (let i = 0; i < 2000; i++) log.write('stdout', `line ${i} ${'x'.repeat(40)}`);
    const entries = log.entries(false)!;
    log.close();
    const total = readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThan(2 * 4096 + 64 * 1024);
    expect(entries.at(-1)!.text).toMatch(/^line 1999 /);
    expect(entries.length).toBeLessThan(2000);
  });

  it('is read back by a new node process from the same folder', () => {
    const dir = tempDir();
    const first = createContainerLog({ dir });
    first.newInstance(0);
    first.write('stderr', 'before the node restarted');
    first.close();
    const second = createContainerLog({ dir });
    expect(second.instance()).toBe(0);
    second.newInstance(1);
    expect(second.entries(true)!.map((e) => [e.stream, e.text])).toEqual([['stderr', 'before the node restarted']]);
    second.close();
  });

  it('orders lines written in one millisecond by their timestamps', () => {
    const log = createContainerLog({ dir: tempDir() });
    log.newInstance(0);
    for (let i = 0; i < 50; i++) log.write('stdout', String(i));
    const times = log.entries(false)!.map((e) => e.time);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    log.close();
  });
});
