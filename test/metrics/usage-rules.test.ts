// The rules of the metrics pipeline, table-driven: the CPU_PER_REQUEST knob, /proc parsing of a
// host process, the kubelet's resource-metrics text as written and read back, metrics-server's
// rate between two points, and Go's duration format of the window.
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAppKnobs } from '../../nodes/app-knobs.js';
import { goDuration, usageList } from '../../src/metrics/api.js';
import { containerUsage, parseProcStat, parseVmRssBytes } from '../../src/metrics/proc-usage.js';
import { parseResourceMetrics, renderResourceMetrics } from '../../src/metrics/resource-metrics.js';
import { usageBetween } from '../../src/metrics/scraper.js';
import { burnCpu, cpuMicrosNow } from '../../src/metrics/usage.js';

describe('CPU_PER_REQUEST', () => {
  const cases: Array<{ name: string; value: string; micros?: number; problem?: RegExp }> = [
    { name: 'milliseconds', value: '5ms', micros: 5000 },
    { name: 'microseconds', value: '250us', micros: 250 },
    { name: 'a fraction of a millisecond', value: '0.5ms', micros: 500 },
    { name: 'a bare number is milliseconds', value: '2', micros: 2000 },
    { name: 'one second is the most', value: '1s', micros: 1_000_000 },
    { name: 'more than a second is ignored', value: '2s', problem: /at most 1s/ },
    { name: 'a negative value is ignored', value: '-5ms', problem: /CPU_PER_REQUEST="-5ms" ignored/ },
    { name: 'words are ignored', value: 'lots', problem: /such as 5ms or 500us/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { knobs, problems } = parseAppKnobs([{ name: 'CPU_PER_REQUEST', value: c.value }]);
      if (c.problem) {
        expect(knobs.cpuPerRequestMicros).toBe(0);
        expect(problems.join('\n')).toMatch(c.problem);
      } else {
        expect(problems).toEqual([]);
        expect(knobs.cpuPerRequestMicros).toBe(c.micros);
      }
    });
  }

  it('burns real CPU time, not wall time', () => {
    const before = cpuMicrosNow();
    burnCpu(20_000);
    expect(cpuMicrosNow() - before).toBeGreaterThanOrEqual(20_000);
  });
});

describe('/proc of a host process', () => {
  it('reads stat with a command holding spaces and parentheses', () => {
    const stat = '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 9876 1000000 200 18446744073709551615';
    expect(parseProcStat(stat)).toEqual({ pid: 4242, pgrp: 4242, cpuTicks: 300, startTicks: 9876 });
  });
  it('reads VmRSS, and none for a zombie', () => {
    expect(parseVmRssBytes('Name:\tx\nVmRSS:\t    2048 kB\n')).toBe(2048 * 1024);
    expect(parseVmRssBytes('Name:\tx\nState:\tZ (zombie)\n')).toBe(0);
  });
  it('sums the CPU and memory of a real process group', async () => {
    const child = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 30'], { detached: true, stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const pgid = child.pid!;
      const ps = execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' }).trim().split(/\s+/);
      expect(ps.length).toBeGreaterThanOrEqual(1);
      let u = containerUsage({ pgid, startedAtMs: 1 });
      for (let i = 0; i < 200 && u.cpuNanos === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        u = containerUsage({ pgid, startedAtMs: 1 });
      }
      expect(u.cpuNanos).toBeGreaterThan(0);
      expect(u.memoryBytes).toBeGreaterThan(0);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });
  it('is nothing for a group without processes', () => {
    expect(containerUsage({ pgid: 2 ** 22 + 12345, startedAtMs: 0 })).toEqual({ cpuNanos: 0, memoryBytes: 0, startedAtMs: 0 });
  });
});

describe('the kubelet resource metrics text', () => {
  it('reads back what it writes, labels with quotes included', () => {
    const report = {
      cpuNanos: 12_500_000_000,
      memoryBytes: 52_428_800,
      timestampMs: 1_733_240_000_123,
      pods: [{ namespace: 'default', name: 'web "1"', containers: [{ name: 'app', usage: { cpuNanos: 420_000_000, memoryBytes: 327_680, startedAtMs: 1_733_239_000_000 } }] }],
    };
    const text = renderResourceMetrics(report);
    expect(text).toContain('container_cpu_usage_seconds_total{container="app",namespace="default",pod="web \\"1\\""} 0.42 1733240000123');
    expect(parseResourceMetrics(text, 0)).toEqual(report);
  });
  it('skips lines it does not understand', () => {
    const r = parseResourceMetrics('garbage line\nnode_cpu_usage_seconds_total NaN\nnode_memory_working_set_bytes 10 5\n{broken\n', 7);
    expect(r).toEqual({ cpuNanos: 0, memoryBytes: 10, timestampMs: 5, pods: [] });
  });
});

describe("metrics-server's usage between two points", () => {
  const cases = [
    { name: 'the rate over the window', last: { cpuNanos: 3e9, memoryBytes: 9, timestampMs: 20_000, startedAtMs: 0 }, prev: { cpuNanos: 1e9, memoryBytes: 5, timestampMs: 10_000, startedAtMs: 0 }, want: { cpuNanocores: 200_000_000, memoryBytes: 9, timestampMs: 20_000, windowMs: 10_000 } },
    { name: 'a restart counts from the start', last: { cpuNanos: 1e9, memoryBytes: 1, timestampMs: 20_000, startedAtMs: 15_000 }, prev: { cpuNanos: 8e9, memoryBytes: 1, timestampMs: 10_000, startedAtMs: 0 }, want: { cpuNanocores: 200_000_000, memoryBytes: 1, timestampMs: 20_000, windowMs: 5000 } },
    { name: 'a counter that went back gives nothing', last: { cpuNanos: 1e9, memoryBytes: 1, timestampMs: 20_000, startedAtMs: 0 }, prev: { cpuNanos: 2e9, memoryBytes: 1, timestampMs: 10_000, startedAtMs: 0 }, want: undefined },
    { name: 'no time between them gives nothing', last: { cpuNanos: 1e9, memoryBytes: 1, timestampMs: 10_000, startedAtMs: 0 }, prev: { cpuNanos: 1e9, memoryBytes: 1, timestampMs: 10_000, startedAtMs: 0 }, want: undefined },
  ];
  for (const c of cases) it(c.name, () => expect(usageBetween(c.last, c.prev)).toEqual(c.want));

  it('formats cpu in nanocores and memory in binary units, as resource.Quantity does', () => {
    expect(usageList({ cpuNanocores: 123_456_789, memoryBytes: 327_680 })).toEqual({ cpu: '123456789n', memory: '320Ki' });
    expect(usageList({ cpuNanocores: 5_000_000, memoryBytes: 1000 })).toEqual({ cpu: '5m', memory: '1k' });
  });
});

describe("the window, as Go's time.Duration prints it", () => {
  const cases: Array<[number, string]> = [[0, '0s'], [500, '500ms'], [1009, '1.009s'], [15_000, '15s'], [61_500, '1m1.5s'], [3_600_000, '1h0m0s']];
  for (const [ms, want] of cases) it(`${ms} ms is ${want}`, () => expect(goDuration(ms)).toBe(want));
});
