// The toolbox's small commands, in busybox's words: echo, env, hostname, cat, ls, sleep, true,
// false, pwd, date, uptime, seq, and the network tools. Unknown commands are sh's `sh: NAME: not found` (127).
import { podFiles, type ToolCommand } from './context.js';
import { dig, nslookup } from './dns-tools.js';
import { curl, wget } from './http-tools.js';
import { SYSTEM_TOOLS } from './system-tools.js';

const DIRS: Record<string, string[]> = {
  '/': ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'],
  '/etc': ['hostname', 'hosts', 'resolv.conf'],
  '/bin': [],
  '/tmp': [],
  '/root': [],
};

function normalise(p: string): string {
  const abs = p.startsWith('/') ? p : `/${p}`;
  const parts: string[] = [];
  for (const seg of abs.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

const sleep: ToolCommand = (args, _pod, io) => {
  const raw = args[0];
  const n = raw === undefined ? NaN : Number(raw.replace(/s$/, ''));
  if (!Number.isFinite(n) || n < 0) {
    io.err(raw === undefined ? 'BusyBox v1.36.1 multi-call binary.\n\nUsage: sleep [N]...\n' : `sleep: invalid number '${raw}'\n`);
    return Promise.resolve(1);
  }
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
    const files = podFiles(pod);
    let code = 0;
    for (const a of args) {
      const f = files[normalise(a)];
      if (f !== undefined) io.out(f);
      else {
        io.err(DIRS[normalise(a)] ? `cat: read error: Is a directory\n` : `cat: can't open '${a}': No such file or directory\n`);
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
      if (DIRS[p]) io.out(DIRS[p]!.map((e) => `${e}\n`).join(''));
      else if (podFiles(pod)[p] !== undefined) io.out(`${a}\n`);
      else {
        io.err(`ls: ${a}: No such file or directory\n`);
        code = 1;
      }
    }
    return code;
  },
  pwd: async (_args, _pod, io) => {
    io.out('/\n');
    return 0;
  },
  true: async () => 0,
  false: async () => 1,
  sleep,
  curl,
  wget,
  nslookup,
  dig,
  ...SYSTEM_TOOLS,
};

export const TOOLBOX_COMMANDS = [...Object.keys(BUILTINS), 'sh', 'exit', 'help'].sort();
