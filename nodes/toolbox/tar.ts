// The toolbox's tar, enough of busybox's for kubectl cp: `tar cf - PATH...` (kubectl cp POD:PATH
// .) writes ustar, with GNU long-name records for names past 100 bytes as busybox and GNU tar do;
// `tar [--no-same-permissions] [--no-same-owner] -xmf - [-C DIR]` (kubectl cp FILE POD:PATH)
// reads ustar, GNU long names and PAX `path`/`size` records (what Go's archive/tar writes, as
// kubectl does), streaming each file to the container's writable layer. `t` lists. Links and
// devices are refused by name; the archive is always stdin/stdout (`f -`).
import fs from 'node:fs';
import type { ToolCommand, ToolIO } from './context.js';
import { FsError, normalise, type ToolboxFs } from './filesystem.js';

const BLOCK = 512;

interface Options {
  mode?: 'c' | 'x' | 't';
  file?: string;
  dir: string;
  verbose: boolean;
  samePermissions: boolean;
  paths: string[];
}

class Usage extends Error {}

function parseArgs(args: string[]): Options {
  const o: Options = { dir: '/', verbose: false, samePermissions: true, paths: [] };
  const rest = [...args];
  const takeValue = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined) throw new Usage(`option requires an argument -- '${flag}'`);
    return v;
  };
  let first = true;
  while (rest.length) {
    const a = rest.shift()!;
    if (a === '--no-same-permissions') o.samePermissions = false;
    else if (a === '--no-same-owner' || a === '--same-owner' || a === '-o') continue;
    else if (a === '--same-permissions' || a === '-p') o.samePermissions = true;
    else if (a.startsWith('--directory=')) o.dir = a.slice('--directory='.length);
    else if (a.startsWith('--file=')) o.file = a.slice('--file='.length);
    else if (a.startsWith('--')) throw new Usage(`unrecognized option '${a}'`);
    else if (a.startsWith('-') || (first && /^[cxtfvmCpo]+$/.test(a))) {
      // bundled letters, `cf`, `-xmf`: f and C take the next arguments in order
      for (const ch of a.replace(/^-/, '')) {
        if (ch === 'c' || ch === 'x' || ch === 't') {
          if (o.mode && o.mode !== ch) throw new Usage('You may not specify more than one of -ctx');
          o.mode = ch;
        } else if (ch === 'f') o.file = takeValue('f');
        else if (ch === 'C') o.dir = takeValue('C');
        else if (ch === 'v') o.verbose = true;
        else if (ch === 'm' || ch === 'o') continue;
        else if (ch === 'p') o.samePermissions = true;
        else if (ch === 'z' || ch === 'j' || ch === 'J') throw new Usage(`-${ch}: compressed archives are not supported by this toolbox`);
        else throw new Usage(`invalid option -- '${ch}'`);
      }
    } else o.paths.push(a);
    first = false;
  }
  return o;
}

// --- writing -----------------------------------------------------------------------------

function octal(buf: Buffer, at: number, width: number, value: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

function header(name: string, type: string, size: number, mode: number, mtime: Date, gnu: boolean): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.max(0, Math.floor(mtime.getTime() / 1000)));
  h.write(type, 156, 1, 'latin1');
  // GNU tar's magic when a long-name record precedes; POSIX ustar otherwise
  h.write(gnu ? 'ustar  \0' : 'ustar\u000000', 257, 8, 'latin1');
  h.write('root', 265, 32, 'latin1');
  h.write('root', 297, 32, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** One member's header(s): a GNU ././@LongLink record first when the name does not fit. */
function memberHeader(name: string, type: string, size: number, mode: number, mtime: Date): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= 100) return header(name, type, size, mode, mtime, false);
  const long = Buffer.concat([bytes, Buffer.from([0])]);
  return Buffer.concat([header('././@LongLink', 'L', long.length, 0, new Date(0), true), long, padding(long.length), header(bytes.subarray(0, 100).toString('utf8'), type, size, mode, mtime, true)]);
}

function create(o: Options, files: ToolboxFs, io: ToolIO): number {
  if (!o.paths.length) {
    io.err('tar: empty archive\n');
    return 1;
  }
  let status = 0;
  let added = 0;
  let warned = false;
  const add = (p: string, member: string): void => {
    const st = files.stat(p);
    if (!st) {
      io.err(`tar: ${member}: No such file or directory\n`);
      status = 1;
      return;
    }
    if (st.type === 'dir') {
      io.out(memberHeader(`${member}/`, '5', 0, st.mode, st.mtime));
      if (o.verbose) io.err(`${member}/\n`);
      for (const e of files.list(p) ?? []) add(normalise(e, p), `${member}/${e}`);
      return;
    }
    const content = files.read(p) ?? Buffer.alloc(0);
    io.out(Buffer.concat([memberHeader(member, '0', content.length, st.mode, st.mtime), content, padding(content.length)]));
    if (o.verbose) io.err(`${member}\n`);
  };
  for (const raw of o.paths) {
    const p = normalise(raw, normalise(o.dir));
    let member = raw.replace(/\/+$/, '') || '/';
    if (!files.stat(p)) {
      io.err(`tar: ${raw}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (member.startsWith('/')) {
      if (!warned) io.err("tar: removing leading '/' from member names\n");
      warned = true;
      member = member.replace(/^\/+/, '');
    }
    if (!member) {
      io.err("tar: the root folder cannot be archived by this toolbox\n");
      status = 1;
      continue;
    }
    add(p, member);
    added++;
  }
  // nothing archived: no archive at all, so the reader sees the end of stdout only once the
  // session is over, after the errors above (kubectl cp stops reading the session at the end mark)
  if (added) io.out(Buffer.alloc(2 * BLOCK));
  return status;
}

// --- reading -----------------------------------------------------------------------------

const str = (b: Buffer, at: number, len: number): string => {
  const s = b.subarray(at, at + len);
  const nul = s.indexOf(0);
  return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
};

function num(b: Buffer, at: number, len: number): number {
  // base-256 (GNU's for big sizes): the top bit of the first byte set
  if (b[at]! & 0x80) {
    let n = b[at]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[at + i]!;
    return n;
  }
  const s = str(b, at, len).trim();
  if (s && !/^[0-7]+$/.test(s)) throw new Error('invalid tar header');
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return num(h, 148, 8) === sum;
}

/** PAX extended header records: `LEN key=value\n`. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    if (sp < 0) break;
    const len = Number(data.subarray(at, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || at + len > data.length) throw new Error('invalid PAX record');
    const rec = data.subarray(sp + 1, at + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    at += len;
  }
  return out;
}

const MAX_META = 1024 * 1024;

function mkdirs(files: ToolboxFs, base: string, target: string): void {
  const rel = target.slice(base.length).split('/').filter(Boolean).slice(0, -1);
  let at = base;
  for (const seg of rel) {
    at = normalise(seg, at);
    if (!files.stat(at)) files.mkdir(at);
  }
}

/** Reads the archive from stdin as it comes; files stream to disk, so memory stays bounded. */
async function extract(o: Options, files: ToolboxFs, io: ToolIO, list: boolean): Promise<number> {
  const stdin = io.stdin;
  if (!stdin) {
    io.err('tar: short read\n');
    return 1;
  }
  const base = normalise(o.dir);
  if (!list && files.stat(base)?.type !== 'dir') {
    io.err(`tar: can't change directory to '${o.dir}': No such file or directory\n`);
    return 1;
  }
  let status = 0;
  let pending: Buffer = Buffer.alloc(0);
  let zeros = 0;
  let done = false;
  // the member being read: its remaining bytes and where they go
  let body: { remaining: number; pad: number; fd?: number; meta?: Buffer[]; metaKind?: 'L' | 'x' } | undefined;
  let longName: string | undefined;
  let pax: Record<string, string> = {};

  const fail = (msg: string): void => {
    io.err(`tar: ${msg}\n`);
    status = 1;
  };
  const startMember = (h: Buffer): void => {
    if (!checksumOk(h)) throw new Error('invalid tar header checksum');
    const type = String.fromCharCode(h[156]!) || '0';
    let size = num(h, 124, 12);
    if (pax.size !== undefined) size = Number(pax.size);
    const prefix = str(h, 345, 155);
    const magic = h.subarray(257, 263).toString('latin1');
    let name = longName ?? pax.path ?? (magic === 'ustar\0' && prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    // --no-same-permissions: the mode less the umask (022), as tar does for a non-root user
    const mode = num(h, 100, 8) & (o.samePermissions ? 0o7777 : 0o7755);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'L' || type === 'x') {
      if (size > MAX_META) throw new Error(`${type === 'L' ? 'long name' : 'PAX header'} of ${size} bytes`);
      body = { remaining: size, pad, meta: [], metaKind: type };
      return;
    }
    longName = undefined;
    pax = {};
    if (type === 'g') {
      body = { remaining: size, pad };
      return;
    }
    name = name.replace(/^(\.\/)+/, '');
    if (list) {
      io.out(`${name}\n`);
      body = { remaining: type === '5' ? 0 : size, pad: type === '5' ? 0 : pad };
      return;
    }
    const target = normalise(name, base);
    if (o.verbose) io.out(`${name}\n`);
    try {
      // the folders leading to a member are made when the archive has no entry for them (as tar does)
      mkdirs(files, base, target);
      if (type === '5') {
        files.mkdir(target, mode || 0o755);
        body = { remaining: 0, pad: 0 };
      } else if (type === '0' || type === '\0' || type === '7') {
        body = { remaining: size, pad, fd: files.openFile(target, mode || 0o644) };
      } else {
        const what = type === '2' ? `symlink to ${str(h, 157, 100)}` : type === '1' ? `hard link to ${str(h, 157, 100)}` : `type '${type}' member`;
        fail(`${name}: cannot create ${what}: the built-in app's toolbox keeps regular files and folders only`);
        body = { remaining: size, pad };
      }
    } catch (err) {
      const why = err instanceof FsError ? err.message : (err as Error).message;
      fail(`can't ${type === '5' ? 'create directory' : 'open'} '${name}': ${why}`);
      body = { remaining: size, pad };
    }
  };
  const finishBody = (): void => {
    const b = body!;
    if (b.fd !== undefined) fs.closeSync(b.fd);
    if (b.metaKind === 'L') longName = Buffer.concat(b.meta!).toString('utf8').replace(/\0+$/, '');
    else if (b.metaKind === 'x') pax = { ...pax, ...paxRecords(Buffer.concat(b.meta!)) };
    body = undefined;
  };
  const consume = (): void => {
    for (;;) {
      if (done) return;
      if (body) {
        if (body.remaining > 0) {
          if (!pending.length) return;
          const part = pending.subarray(0, Math.min(pending.length, body.remaining));
          if (body.fd !== undefined) fs.writeSync(body.fd, part);
          else body.meta?.push(Buffer.from(part));
          body.remaining -= part.length;
          pending = pending.subarray(part.length);
          continue;
        }
        if (pending.length < body.pad) return;
        pending = pending.subarray(body.pad);
        finishBody();
        continue;
      }
      if (pending.length < BLOCK) return;
      const h = pending.subarray(0, BLOCK);
      pending = pending.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        if (++zeros === 2) done = true;
        continue;
      }
      zeros = 0;
      startMember(h);
    }
  };
  try {
    for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
      if (io.signal.aborted) break;
      const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      pending = pending.length ? Buffer.concat([pending, c]) : c;
      consume();
      if (done) break;
    }
  } catch (err) {
    if (body?.fd !== undefined) fs.closeSync(body.fd);
    io.err(`tar: ${(err as Error).message}\n`);
    return 1;
  }
  if (body?.fd !== undefined) fs.closeSync(body.fd);
  if (body || (pending.length && !done)) {
    io.err('tar: short read\n');
    return 1;
  }
  return status;
}

export const tar: ToolCommand = async (args, pod, io) => {
  let o: Options;
  try {
    o = parseArgs(args);
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    io.err(`tar: ${err.message}\n`);
    return 1;
  }
  if (!o.mode) {
    io.err("tar: need one of '-c', '-x' or '-t'\n");
    return 1;
  }
  if (o.file !== undefined && o.file !== '-') {
    io.err(`tar: can't open '${o.file}': this toolbox reads and writes archives on stdin/stdout only (f -)\n`);
    return 1;
  }
  const files = pod.files;
  if (o.mode === 'c') return create(o, files, io);
  return extract(o, files, io, o.mode === 't');
};
