// Ports below net.ipv4.ip_unprivileged_port_start (1024 on most machines) cannot be opened by a
// user other than root: a Service's port 80 or 443 gets no ClusterIP or load-balancer listener,
// and the cluster DNS moves off port 53. `loopkube up` says so once, plainly, with the one-time
// fix; on a terminal, with sudo at hand, it offers to apply the fix itself.
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { serviceOf, type ListenerFailureReport } from '../observe/listener-problems.js';
import { SYSCTL_DROP_IN, SYSCTL_KEY, lowPortFixCommands, unprivilegedPortStart } from '../cluster/privileged-ports.js';

export interface LowPortFacts {
  /** The proxy's failures with EACCES (from its /listeners report). */
  listeners: ListenerFailureReport[];
  /** The cluster DNS's address when it could not have port 53 because of privileges. */
  dns?: { ip: string; port: number };
}

/** The note `up` prints, or '' when nothing is held back by privileges. */
export function lowPortNote(facts: LowPortFacts, nameFlag: string): string {
  if (!facts.listeners.length && !facts.dns) return '';
  const uid = process.getuid?.() ?? -1;
  const lines: string[] = [
    `Note: ports below ${unprivilegedPortStart()} need privileges this user (uid ${uid}) does not have (${SYSCTL_KEY} is ${unprivilegedPortStart()}). Not open:`,
  ];
  for (const f of facts.listeners) {
    lines.push(`  - ${serviceOf(f)}: ${f.kind} ${f.address}${f.kind === 'healthCheck' && f.node ? ` on ${f.node}` : ''}`);
  }
  if (facts.dns) lines.push(`  - cluster DNS: answers on ${facts.dns.ip} port ${facts.dns.port} instead of 53 (loopkube dns${nameFlag} prints the dig command)`);
  lines.push(
    `  A Service port below ${unprivilegedPortStart()} gets no ClusterIP or load-balancer listener (connections to it are refused); NodePorts and the API server are not affected.`,
    `  Allow such ports once, for good (then every user may bind them):`,
    ...lowPortFixCommands().map((c) => `    ${c}`),
    `  The proxy retries every 2 s, so the listeners open by themselves; the DNS moves to port 53 at the next loopkube down${nameFlag} && loopkube up${nameFlag}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** True when `sudo` is on PATH. */
function haveSudo(): boolean {
  return spawnSync('sh', ['-c', 'command -v sudo'], { stdio: 'ignore' }).status === 0;
}

/**
 * On a terminal (stdin and stdout), as a user who is not root and has sudo: asks whether to
 * apply the fix now, and does it with sudo (which asks for the password itself). Returns true
 * when the setting was applied.
 */
export async function offerLowPortFix(): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY || process.getuid?.() === 0 || !haveSudo()) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  let answer: string;
  try {
    answer = await rl.question(`Apply it now with sudo (sets ${SYSCTL_KEY}=0 and writes ${SYSCTL_DROP_IN})? [y/N] `);
  } finally {
    rl.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) return false;
  const script = `sysctl -w ${SYSCTL_KEY}=0 && printf '%s\\n' '# written by loopkube: every user may bind ports from 0 (Services on 80/443, DNS on 53)' '${SYSCTL_KEY}=0' > ${SYSCTL_DROP_IN}`;
  const r = spawnSync('sudo', ['sh', '-c', script], { stdio: 'inherit' });
  return r.status === 0 && unprivilegedPortStart() === 0;
}
