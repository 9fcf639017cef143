import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds dist/ once per run when it is missing or older than the sources
    globalSetup: ['test/support/global-setup.ts'],
    // `loopkube up` merges its context into $KUBECONFIG: tests that do not name a file of their
    // own write here, never into the real ~/.kube/config
    env: { KUBECONFIG: path.join(os.tmpdir(), `loopkube-test-kubeconfig-${process.pid}`, 'config') },
    // These catch a test (or a beforeAll) that hangs; they are not a speed limit (speed is
    // measured in benchmarks). A test's wall time scales with the machine's load: on this shared
    // 2-core machine at a load of 30 the heaviest tests (the CLI lifecycle, 20,000 objects in
    // Redis) took over 60 s. Every wait inside a test has a bound of its own naming what it
    // waited for.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // longest files first, so that none starts last and holds the run up alone
    sequence: { sequencer: LongestFirstSequencer },
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
