// The toolbox's date, uptime and seq, in busybox's formats. A container shares the host's
// clock and /proc/uptime, so `uptime` is the machine's, as it is in a real container.
import os from 'node:os';
import type { ToolCommand } from './context.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');
const clock = (d: Date): string => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;

/** busybox `date`: `Thu Dec  3 18:15:02 UTC 2026` (containers run in UTC); `-u` and `-I` too. */
export function formatDate(d: Date, args: string[]): string {
  if (args.includes('-I')) return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${clock(d)} UTC ${d.getUTCFullYear()}`;
}

/** busybox `uptime`: ` 18:15:02 up 2 days,  3:04,  0 users,  load average: 0.12, 0.08, 0.01`. */
export function formatUptime(now: Date, upSeconds: number, load: number[]): string {
  const days = Math.floor(upSeconds / 86400);
  const hours = Math.floor((upSeconds % 86400) / 3600);
  const minutes = Math.floor((upSeconds % 3600) / 60);
  const up = `${days ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${hours ? `${String(hours).padStart(2, ' ')}:${two(minutes)}` : `${minutes} min`}`;
  return ` ${clock(now)} up ${up},  0 users,  load average: ${load.map((l) => l.toFixed(2)).join(', ')}`;
}

/** busybox `seq [FIRST [INC]] LAST`, integers and decimals. */
export function seqLines(args: string[]): string[] | string {
  const nums = args.map(Number);
  if (!args.length || args.length > 3) return 'BusyBox v1.36.1 multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n';
  const bad = args.find((a, i) => a.trim() === '' || !Number.isFinite(nums[i]));
  if (bad !== undefined) return `seq: invalid number '${bad}'\n`;
  const [first, inc, last] = args.length === 1 ? [1, 1, nums[0]!] : args.length === 2 ? [nums[0]!, 1, nums[1]!] : [nums[0]!, nums[1]!, nums[2]!];
  const out: string[] = [];
  if (inc === 0) return out;
  // bounded as the toolbox's output is: a session is not a place for a million lines
  for (let v = first; (inc > 0 ? v <= last : v >= last) && out.length < 100_000; v += inc) out.push(String(Number(v.toFixed(10))));
  return out;
}

export const SYSTEM_TOOLS: Record<string, ToolCommand> = {
  date: async (args, _pod, io) => {
    io.out(`${formatDate(new Date(), args)}\n`);
    return 0;
  },
  uptime: async (_args, _pod, io) => {
    io.out(`${formatUptime(new Date(), os.uptime(), os.loadavg())}\n`);
    return 0;
  },
  seq: async (args, _pod, io) => {
    const r = seqLines(args);
    if (typeof r === 'string') {
      io.err(r);
      return 1;
    }
    if (r.length) io.out(r.map((l) => `${l}\n`).join(''));
    return 0;
  },
};
