import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // builds dist/ once per run when it is missing or older than the sources
    globalSetup: ['test/support/global-setup.ts'],
    // `loopkube up` merges its context into $KUBECONFIG: tests that do not name a file of their
    // own write here, never into the real ~/.kube/config
    env: { KUBECONFIG: path.join(os.tmpdir(), `loopkube-test-kubeconfig-${process.pid}`, 'config') },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
