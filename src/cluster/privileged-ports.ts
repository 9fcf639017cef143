// Ports below net.ipv4.ip_unprivileged_port_start (1024 unless lowered) need root, or the
// CAP_NET_BIND_SERVICE capability. One place for the setting, the fix every message names, and
// the file that keeps it across reboots, so `up`, `dns`, the proxy's Events and the README agree.
import { readFileSync } from 'node:fs';

export const SYSCTL_KEY = 'net.ipv4.ip_unprivileged_port_start';
/** Where the setting is kept across reboots (systemd-sysctl and procps read /etc/sysctl.d/). */
export const SYSCTL_DROP_IN = '/etc/sysctl.d/60-loopkube-unprivileged-ports.conf';

/** The lowest port an unprivileged process may bind, now. */
export function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync(`/proc/sys/${SYSCTL_KEY.replace(/\./g, '/')}`, 'utf8').trim());
  } catch {
    return 1024;
  }
}

/** The two commands that let every user bind every port: now, and after a reboot. */
export function lowPortFixCommands(): string[] {
  return [`sudo sysctl -w ${SYSCTL_KEY}=0`, `echo '${SYSCTL_KEY}=0' | sudo tee ${SYSCTL_DROP_IN}`];
}

/** The fix in one clause: "allow them (sudo sysctl -w ...=0, kept across reboots in /etc/sysctl.d/...)". */
export function lowPortFixClause(): string {
  return `allow them (sudo sysctl -w ${SYSCTL_KEY}=0; to keep it across reboots: echo '${SYSCTL_KEY}=0' | sudo tee ${SYSCTL_DROP_IN})`;
}
