// nslookup (busybox's output) and dig (its usual sections, +short) against the cluster DNS, with
// the pod's search path.
import { resolveIPv4 } from '../../src/dns/client.js';
import { RCODE } from '../../src/dns/wire.js';
import type { ToolboxPod, ToolIO } from './context.js';
import { searchNames } from './resolve.js';

async function lookup(name: string, pod: ToolboxPod, search: boolean): Promise<{ name: string; addresses: string[] } | undefined> {
  const dns = pod.dns!;
  for (const n of search ? searchNames(name, pod) : [name.replace(/\.$/, '')]) {
    const r = await resolveIPv4(n, { server: dns.ip, port: dns.port, timeoutMs: 1000, attempts: 2 });
    if (r.rcode === RCODE.NOERROR && r.addresses.length) return { name: n, addresses: r.addresses };
  }
  return undefined;
}

export async function nslookup(args: string[], pod: ToolboxPod, io: ToolIO): Promise<number> {
  const name = args.find((a) => !a.startsWith('-'));
  if (!name) {
    io.err('BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] HOST [DNS_SERVER]\n');
    return 1;
  }
  if (!pod.dns) {
    io.err(';; connection timed out; no servers could be reached\n');
    return 1;
  }
  const server = `${pod.dns.ip}:${pod.dns.port}`;
  io.out(`Server:\t\t${pod.dns.ip}\nAddress:\t${server}\n\n`);
  const found = await lookup(name, pod, true);
  if (!found) {
    io.out(`** server can't find ${name}: NXDOMAIN\n\n`);
    return 1;
  }
  io.out(`Name:\t${found.name}\n${found.addresses.map((a) => `Address: ${a}\n`).join('')}\n`);
  return 0;
}

export async function dig(args: string[], pod: ToolboxPod, io: ToolIO): Promise<number> {
  const short = args.includes('+short');
  const search = args.includes('+search');
  const name = args.find((a) => !a.startsWith('+') && !a.startsWith('@') && !a.startsWith('-') && a !== 'A');
  if (!name) {
    io.err('usage: dig [@server] NAME [A] [+short] [+search]\n');
    return 1;
  }
  if (!pod.dns) {
    io.out(';; connection timed out; no servers could be reached\n');
    return 9;
  }
  const found = await lookup(name, pod, search);
  if (short) {
    if (found) io.out(found.addresses.map((a) => `${a}\n`).join(''));
    return 0;
  }
  const fq = `${(found?.name ?? name).replace(/\.$/, '')}.`;
  const status = found ? 'NOERROR' : 'NXDOMAIN';
  let s = `\n; <<>> DiG 9.18 (loopkube toolbox) <<>> ${args.join(' ')}\n;; ->>HEADER<<- opcode: QUERY, status: ${status}\n\n;; QUESTION SECTION:\n;${fq}\t\t\tIN\tA\n`;
  if (found) s += `\n;; ANSWER SECTION:\n${found.addresses.map((a) => `${fq}\t\t30\tIN\tA\t${a}\n`).join('')}`;
  s += `\n;; SERVER: ${pod.dns.ip}#${pod.dns.port}(${pod.dns.ip}) (UDP)\n\n`;
  io.out(s);
  return 0;
}
