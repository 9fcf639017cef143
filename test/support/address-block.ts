// Address blocks for test clusters. Every cluster a test starts gets a block of its own —
// node, pod, service and load-balancer subnets — claimed with an exclusive file under the
// system's temp folder, so clusters of test files running at once (or of two test runs on one
// machine) never share an address. A block is released by release(), or when its process dies;
// a block where something still listens (a cluster left running by a test process that was
// killed) is not handed out, claimed or not.
import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Blocks 0..BLOCKS-1; each maps to its own second octets (see blockNetworking): pods in
 * 127.20-57, services in 127.58-95, load balancers in 127.201-238, nodes in 127.10.100-137. None
 * of these is the default plan's (127.10.0, 127.244, 127.96-111, 127.200) nor one of the blocks
 * `loopkube demo` takes beside a running cluster (src/demo/cluster.ts: 127.10.1-50, pods
 * 127.150-199, services 127.112-143, 127.240): a demo a test runs never lands on a test cluster.
 */
export const BLOCKS = 38;

const CLAIMS = path.join(os.tmpdir(), 'loopkube-test-blocks');

export interface AddressBlock {
  index: number;
  /** node N = 127.10.(100+b).N */
  nodeSubnet: string;
  /** node N gets 127.(20+b).N.0/24 */
  podSubnet: string;
  /** 127.(58+b).0.0/16: `kubernetes` at .0.1, DNS at .0.10 */
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

/** Address prefixes of block b's ranges (node, pod, service, load-balancer), as blockNetworking lays them out. */
function blockPrefixes(b: number): string[] {
  return [`127.10.${100 + b}.`, `127.${20 + b}.`, `127.${58 + b}.`, `127.${201 + b}.`];
}

/** IPv4 addresses with a TCP listener, from /proc/net/tcp (hex, in the machine's byte order: little-endian). */
function listeningAddresses(): Set<string> {
  const out = new Set<string>();
  let table = '';
  try {
    table = readFileSync('/proc/net/tcp', 'latin1');
  } catch {
    return out;
  }
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== '0A') continue; // TCP_LISTEN
    const n = Number.parseInt(fields[1]!.split(':')[0]!, 16);
    out.add(`${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`);
  }
  return out;
}

/** True when something listens on an address of block b: a cluster nobody claims any more, still running. */
function blockInUse(b: number, listening: Set<string>): boolean {
  const prefixes = blockPrefixes(b);
  for (const address of listening) if (prefixes.some((p) => address.startsWith(p))) return true;
  return false;
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
    podSubnet: `127.${20 + b}.0.0/16`,
    serviceSubnet: `127.${58 + b}.0.0/16`,
    loadBalancerPool: `127.${201 + b}.0.0/24`,
    nodeIP: (n) => `127.10.${100 + b}.${n}`,
    podCIDR: (n) => `127.${20 + b}.${n}.0/24`,
  };
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
  const listening = listeningAddresses();
  const start = Math.floor(Math.random() * BLOCKS);
  for (let k = 0; k < BLOCKS; k++) {
    const index = (start + k) % BLOCKS;
    if (blockInUse(index, listening) || !tryClaim(index)) continue;
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
  throw new Error(`all ${BLOCKS} test address blocks under ${CLAIMS} are in use by live processes (or something listens on their addresses)`);
}
