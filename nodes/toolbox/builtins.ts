// The toolbox's small commands, in busybox's words: echo, env, hostname, cat, ls, sleep, true,
// false, pwd, date, uptime, seq, test/[, tar, and the network tools. Unknown commands are sh's `sh: NAME: not found` (127).
import type { ToolCommand } from './context.js';
import { dig, nslookup } from './dns-tools.js';
import { normalise } from './filesystem.js';
import { curl, wget } from './http-tools.js';
import { SYSTEM_TOOLS } from './system-tools.js';
import { tar } from './tar.js';

const sleep: ToolCommand = (args, _pod, io) => {
  const raw = args[0];
  const n = raw === undefined ? NaN : Number(raw.replace(/s$/, ''));
  if (!Number.isFinite(n) || n < 0) {
    io.err(raw === undefined ? 'BusyBox v1.36.1 multi-call binary.\n\nUsage: sleep [N]...\n' : `sleep: invalid number '${raw}'\n`);
    return Promise.resolve(1);
  }
  if (io.signal.aborted) return Promise.resolve(130);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      io.signal.removeEventListener('abort', stop);
      resolve(0);
    }, n * 1000);
    const stop = (): void => {
      clearTimeout(t);
      resolve(130);
    };
    io.signal.addEventListener('abort', stop, { once: true });
  });
};

/** `test -d|-e|-f|-s PATH`, `test -n|-z STR`, `test A = B` (busybox's exit codes: 0, 1, 2 on misuse). */
function testFiles(args: string[], pod: Parameters<ToolCommand>[1]): number {
  if (args.length === 0) return 1;
  if (args.length === 1) return args[0] ? 0 : 1;
  if (args.length === 2) {
    const [op, operand] = args as [string, string];
    if (op === '-n') return operand ? 0 : 1;
    if (op === '-z') return operand ? 1 : 0;
    const st = pod.files.stat(normalise(operand));
    if (op === '-e') return st ? 0 : 1;
    if (op === '-d') return st?.type === 'dir' ? 0 : 1;
    if (op === '-f') return st?.type === 'file' ? 0 : 1;
    if (op === '-s') return st?.type === 'file' && st.size > 0 ? 0 : 1;
    if (op === '!') return testFiles([operand], pod) === 0 ? 1 : 0;
    return 2;
  }
  if (args.length === 3 && (args[1] === '=' || args[1] === '!=')) return (args[0] === args[2]) === (args[1] === '=') ? 0 : 1;
  return 2;
}

export const BUILTINS: Record<string, ToolCommand> = {
  echo: async (args, _pod, io) => {
    const noNewline = args[0] === '-n';
    io.out((noNewline ? args.slice(1) : args).join(' ') + (noNewline ? '' : '\n'));
    return 0;
  },
  env: async (_args, pod, io) => {
    io.out(Object.entries(pod.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  },
  printenv: async (args, pod, io) => {
    if (!args.length) io.out(Object.entries(pod.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    const missing = args.filter((a) => pod.env[a] === undefined);
    io.out(args.filter((a) => pod.env[a] !== undefined).map((a) => `${pod.env[a]}\n`).join(''));
    return missing.length ? 1 : 0;
  },
  hostname: async (_args, pod, io) => {
    io.out(`${pod.hostname}\n`);
    return 0;
  },
  cat: async (args, pod, io) => {
    let code = 0;
    for (const a of args) {
      const p = normalise(a);
      const f = pod.files.read(p);
      if (f !== undefined) io.out(f);
      else {
        io.err(pod.files.stat(p)?.type === 'dir' ? `cat: read error: Is a directory\n` : `cat: can't open '${a}': No such file or directory\n`);
        code = 1;
      }
    }
    return code;
  },
  ls: async (args, pod, io) => {
    const paths = args.filter((a) => !a.startsWith('-'));
    let code = 0;
    for (const a of paths.length ? paths : ['/']) {
      const p = normalise(a);
      const entries = pod.files.list(p);
      if (entries) io.out(entries.map((e) => `${e}\n`).join(''));
      else if (pod.files.stat(p)) io.out(`${a}\n`);
      else {
        io.err(`ls: ${a}: No such file or directory\n`);
        code = 1;
      }
    }
    return code;
  },
  test: async (args, pod) => testFiles(args, pod),
  '[': async (args, pod) => (args[args.length - 1] === ']' ? testFiles(args.slice(0, -1), pod) : 2),
  pwd: async (_args, _pod, io) => {
    io.out('/\n');
    return 0;
  },
  true: async () => 0,
  false: async () => 1,
  sleep,
  tar,
  curl,
  wget,
  nslookup,
  dig,
  ...SYSTEM_TOOLS,
};

export const TOOLBOX_COMMANDS = [...Object.keys(BUILTINS), 'sh', 'exit', 'help'].sort();
