// On a terminal, as a user who is not root and with sudo on PATH, `loopkube up` follows its note
// about ports below 1024 with an offer to apply the fix; the default answer (N) changes nothing
// and up still succeeds. Through a real pseudo-terminal (tmux), the real processes, uid 65534.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unprivilegedPortStart } from '../../src/cluster/privileged-ports.js';
import { claimAddressBlock, type AddressBlock } from '../support/address-block.js';
import { freePort, waitFor } from '../support/wait.js';
import { stagePackage } from './walkthrough.js';

let root: string;
let home: string;
let block: AddressBlock;
const socket = `loopkube-test-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', 'env', '-i', `PATH=${process.env.PATH}`, 'LANG=C.UTF-8'];

beforeAll(() => {
  root = stagePackage();
  home = mkdtempSync(path.join(os.tmpdir(), 'loopkube-prompt-home-'));
  chownSync(home, 65534, 65534);
  block = claimAddressBlock();
});

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // not running
  }
  try {
    execFileSync(asNobody[0]!, [...asNobody.slice(1), `HOME=${home}`, process.execPath, path.join(root, 'dist/src/cli/main.js'), 'down', '--purge'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    // best effort
  }
  block.release();
  rmSync(home, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
});

describe('loopkube up on a terminal, as a user who may not open ports below 1024', () => {
  it('offers to apply the fix with sudo; N leaves the setting as it was, and the cluster is up', async () => {
    expect(execFileSync('sh', ['-c', 'command -v sudo'], { encoding: 'utf8' }).trim()).not.toBe('');
    const before = unprivilegedPortStart();
    expect(before).toBeGreaterThan(443);
    const file = path.join(home, 'cluster.yaml');
    writeFileSync(
      file,
      `kind: Cluster\napiVersion: loopkube.dev/v1alpha1\nnetworking:\n  apiServerPort: ${await freePort()}\n` +
        `  nodeSubnet: ${block.nodeSubnet}\n  podSubnet: ${block.podSubnet}\n  serviceSubnet: ${block.serviceSubnet}\n  loadBalancerPool: ${block.loadBalancerPool}\n`,
    );
    const cmd = [...asNobody, `HOME=${home}`, process.execPath, path.join(root, 'dist/src/cli/main.js'), 'up', '--config', file, '--nodes', '0']
      .map((a) => `'${a}'`)
      .join(' ');
    tmux('new-session', '-d', '-x', '220', '-y', '60', `${cmd}; echo "UP-EXIT=$?"; sleep 600`);
    const screen = (): string => tmux('capture-pane', '-p', '-J', '-S', '-200');
    await waitFor('the offer', () => screen().includes('Apply it now with sudo'), 90_000);
    const shown = screen();
    expect(shown).toContain('Note: ports below 1024 need privileges this user (uid 65534)');
    expect(shown).toContain('sets net.ipv4.ip_unprivileged_port_start=0 and writes /etc/sysctl.d/60-loopkube-unprivileged-ports.conf)? [y/N]');
    tmux('send-keys', 'n', 'Enter');
    await waitFor('up to exit', () => /UP-EXIT=\d+/.test(screen()), 30_000);
    expect(screen()).toContain('UP-EXIT=0');
    expect(screen()).not.toContain('Done: ports below 1024');
    expect(unprivilegedPortStart()).toBe(before);
    expect(readFileSync(path.join(home, '.kube', 'config'), 'utf8')).toContain('loopkube-default');
  });
});
