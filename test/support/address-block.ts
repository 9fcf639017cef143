// Address blocks for test clusters. Every cluster a test starts gets a block of its own —
// node, pod, service and load-balancer subnets — claimed with an exclusive file under the
// system's temp folder, so clusters of test files running at once (or of two test runs on one
// machine) never share an address. A block is released by release(), or when its process dies.
import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Blocks 0..BLOCKS-1; each maps to its own second octets (see blockNetworking). */
export const BLOCKS = 38;

const CLAIMS = path.join(os.tmpdir(), 'loopkube-test-blocks');

export interface AddressBlock {
  index: number;
  /** node N = 127.10.(100+b).N */
  nodeSubnet: string;
  /** node N gets 127.(150+b).N.0/24 */
  podSubnet: string;
  /** 127.(112+b).0.0/16: `kubernetes` at .0.1, DNS at .0.10 */
  serviceSubnet: string;
  loadBalancerPool: string;
  nodeIP(n: number): string;
  podCIDR(n: number): string;
  release(): void;
}

const claimedHere = new Set<number>();
let exitHookInstalled = false;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryClaim(index: number): boolean {
  const file = path.join(CLAIMS, String(index));
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Taken: reclaim it if its owner is gone.
  let owner = NaN;
  try {
    owner = Number(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) return false;
  try {
    unlinkSync(file);
  } catch {
    return false;
  }
  return tryClaim(index);
}

export function blockNetworking(b: number): Omit<AddressBlock, 'index' | 'release'> {
  return {
    nodeSubnet: `127.10.${100 + b}.0/24`,
    podSubnet: `127.${150 + b}.0.0/16`,
    serviceSubnet: `127.${112 + b}.0.0/16`,
    loadBalancerPool: `127.${201 + b}.0.0/24`,
    nodeIP: (n) => `127.10.${100 + b}.${n}`,
    podCIDR: (n) => `127.${150 + b}.${n}.0/24`,
  };
}

/** True when some TCP socket listens on an address of block `b` (read from /proc/net/tcp). */
function listenersIn(b: number): boolean {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return false;
  }
  for (const line of table.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== '0A' || !local) continue; // 0A: LISTEN
    // little-endian hex: 0100007F is 127.0.0.1
    const hex = local.split(':')[0]!;
    const o = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
    if (o[0] !== 127) continue;
    if ((o[1] === 10 && o[2] === 100 + b) || o[1] === 150 + b || o[1] === 112 + b || o[1] === 201 + b) return true;
  }
  return false;
}

/** Claims a free block (throws when all are taken by live processes). */
export function claimAddressBlock(): AddressBlock {
  mkdirSync(CLAIMS, { recursive: true });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const i of claimedHere) {
        try {
          unlinkSync(path.join(CLAIMS, String(i)));
        } catch {
          // already gone
        }
      }
    });
  }
  const start = Math.floor(Math.random() * BLOCKS);
  for (let k = 0; k < BLOCKS; k++) {
    const index = (start + k) % BLOCKS;
    if (!tryClaim(index)) continue;
    if (listenersIn(index)) {
      // a cluster someone left running (its claim gone with its test process) still holds
      // these addresses: leave the block to it
      unlinkSync(path.join(CLAIMS, String(index)));
      continue;
    }
    claimedHere.add(index);
    let released = false;
    return {
      index,
      ...blockNetworking(index),
      release() {
        if (released) return;
        released = true;
        claimedHere.delete(index);
        try {
          unlinkSync(path.join(CLAIMS, String(index)));
        } catch {
          // already gone
        }
      },
    };
  }
  throw new Error(`all ${BLOCKS} test address blocks under ${CLAIMS} are in use by live processes`);
}
