// A stub resolver for the cluster DNS: one question over UDP (retried on silence), again over
// TCP when the answer comes back truncated. What the load generator and the CLI use to turn
// service names into addresses the way a pod would.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { CLASS_IN, decodeMessage, emptyFlags, encodeMessage, optRecord, RCODE, TYPE, type DnsMessage } from './wire.js';

export interface DnsQueryOptions {
  server: string;
  port: number;
  /** Per attempt (default 1000 ms). */
  timeoutMs?: number;
  /** UDP attempts before giving up (default 3). */
  attempts?: number;
}

export class DnsQueryError extends Error {}

function queryBytes(id: number, name: string, type: number): Buffer {
  return encodeMessage({
    id,
    flags: { ...emptyFlags(), rd: true },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [optRecord(1232)],
  });
}

function matches(reply: DnsMessage, id: number, name: string, type: number): boolean {
  const q = reply.questions[0];
  return reply.flags.qr && reply.id === id && (!q || (q.type === type && q.name.toLowerCase() === name.replace(/\.$/, '').toLowerCase()));
}

function overUdp(packet: Buffer, id: number, name: string, type: number, opts: DnsQueryOptions): Promise<DnsMessage> {
  const attempts = opts.attempts ?? 3;
  const timeoutMs = opts.timeoutMs ?? 1000;
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, msg?: DnsMessage): void => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    const send = (): void => {
      if (tries++ >= attempts) {
        finish(new DnsQueryError(`no answer from the cluster DNS at ${opts.server}:${opts.port} for ${name} (${attempts} tries)`));
        return;
      }
      socket.send(packet, opts.port, opts.server, (err) => {
        if (err) finish(new DnsQueryError(`cannot reach the cluster DNS at ${opts.server}:${opts.port}: ${err.message}`));
      });
      timer = setTimeout(send, timeoutMs);
    };
    socket.on('error', (err) => finish(new DnsQueryError(`cluster DNS at ${opts.server}:${opts.port}: ${err.message}`)));
    socket.on('message', (buf) => {
      let msg: DnsMessage;
      try {
        msg = decodeMessage(buf);
      } catch {
        return; // not an answer we can read: keep waiting
      }
      if (matches(msg, id, name, type)) finish(null, msg);
    });
    send();
  });
}

function overTcp(packet: Buffer, id: number, name: string, type: number, opts: DnsQueryOptions): Promise<DnsMessage> {
  const timeoutMs = (opts.timeoutMs ?? 1000) * (opts.attempts ?? 3);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.server, port: opts.port });
    let pending: Buffer = Buffer.alloc(0);
    const fail = (why: string): void => {
      socket.destroy();
      reject(new DnsQueryError(`cluster DNS over TCP at ${opts.server}:${opts.port}: ${why}`));
    };
    socket.setTimeout(timeoutMs, () => fail('timed out'));
    socket.on('error', (err) => fail(err.message));
    socket.on('connect', () => {
      const frame = Buffer.allocUnsafe(2 + packet.length);
      frame.writeUInt16BE(packet.length, 0);
      packet.copy(frame, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      try {
        const msg = decodeMessage(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        socket.destroy();
        if (matches(msg, id, name, type)) resolve(msg);
        else reject(new DnsQueryError('answer does not match the question'));
      } catch (err) {
        fail((err as Error).message);
      }
    });
  });
}

/** Asks one question; the whole answer message comes back (any rcode). */
export async function queryDns(name: string, type: number, opts: DnsQueryOptions): Promise<DnsMessage> {
  const id = randomInt(0, 0x10000);
  const packet = queryBytes(id, name, type);
  const reply = await overUdp(packet, id, name, type, opts);
  return reply.flags.tc ? overTcp(packet, id, name, type, opts) : reply;
}

export interface ResolvedAddresses {
  /** NOERROR with addresses, NOERROR without (the name has none), or NXDOMAIN. */
  rcode: number;
  addresses: string[];
}

/** The A records of a name (following one CNAME in the same answer). */
export async function resolveIPv4(name: string, opts: DnsQueryOptions): Promise<ResolvedAddresses> {
  const reply = await queryDns(name, TYPE.A, opts);
  if (reply.flags.rcode !== RCODE.NOERROR && reply.flags.rcode !== RCODE.NXDOMAIN) {
    throw new DnsQueryError(`the cluster DNS answered ${rcodeName(reply.flags.rcode)} for ${name}`);
  }
  const addresses: string[] = [];
  for (const r of reply.answers) if (r.data.kind === 'a') addresses.push(r.data.address);
  return { rcode: reply.flags.rcode, addresses };
}

export interface ServiceLocation {
  target: string;
  port: number;
  addresses: string[];
}

/** The SRV records of a name, each with its target's addresses from the additional section. */
export async function resolveSrv(name: string, opts: DnsQueryOptions): Promise<ServiceLocation[]> {
  const reply = await queryDns(name, TYPE.SRV, opts);
  if (reply.flags.rcode !== RCODE.NOERROR && reply.flags.rcode !== RCODE.NXDOMAIN) {
    throw new DnsQueryError(`the cluster DNS answered ${rcodeName(reply.flags.rcode)} for ${name}`);
  }
  const out: ServiceLocation[] = [];
  for (const r of reply.answers) {
    if (r.data.kind !== 'srv') continue;
    const target = r.data.target.toLowerCase();
    const addresses: string[] = [];
    for (const a of reply.additionals) if (a.data.kind === 'a' && a.name.toLowerCase() === target) addresses.push(a.data.address);
    out.push({ target: r.data.target, port: r.data.port, addresses });
  }
  return out;
}

export function rcodeName(rcode: number): string {
  for (const [name, value] of Object.entries(RCODE)) if (value === rcode) return name;
  return `RCODE${rcode}`;
}
