// One DNS query in, one answer out (bytes to bytes): the part of the server that sockets do not
// matter to. A message that is itself an answer is dropped; one that does not decode gets
// FORMERR; opcodes other than QUERY get NOTIMP; until the zone is known (informers not synced)
// every query gets SERVFAIL, so clients retry rather than cache a wrong NXDOMAIN. A UDP answer
// larger than the client accepts (512 bytes, or its EDNS size) is sent truncated (TC) so the
// client asks again over TCP.
import { answerQuestion, type DnsZone } from './records.js';
import {
  CLASSIC_UDP_SIZE,
  decodeHeader,
  decodeMessage,
  DnsWireError,
  encodeMessage,
  OPCODE_QUERY,
  optRecord,
  RCODE,
  TYPE,
  type DnsMessage,
} from './wire.js';

export type Transport = 'udp' | 'tcp';

/** The UDP payload size we advertise and accept at most (the DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;

export function respondToQuery(packet: Buffer, zone: DnsZone | null, transport: Transport): Buffer | null {
  const header = decodeHeader(packet);
  if (!header || header.flags.qr) return null;
  const reply = (rcode: number, query?: DnsMessage): DnsMessage => ({
    id: header.id,
    flags: { qr: true, opcode: header.flags.opcode, aa: false, tc: false, rd: header.flags.rd, ra: false, ad: false, cd: header.flags.cd, rcode },
    questions: query?.questions.slice(0, 1) ?? [],
    answers: [],
    authorities: [],
    additionals: [],
  });

  let query: DnsMessage;
  try {
    query = decodeMessage(packet);
  } catch (err) {
    if (err instanceof DnsWireError) return encodeMessage(reply(RCODE.FORMERR));
    throw err;
  }
  if (header.flags.opcode !== OPCODE_QUERY) return encodeMessage(reply(RCODE.NOTIMP, query));
  if (query.questions.length !== 1) return encodeMessage(reply(RCODE.FORMERR, query));

  const opt = query.additionals.find((r) => r.type === TYPE.OPT);
  const withOpt = (m: DnsMessage): DnsMessage => (opt ? { ...m, additionals: [...m.additionals, optRecord(EDNS_UDP_SIZE)] } : m);
  if (!zone) return encodeMessage(withOpt(reply(RCODE.SERVFAIL, query)));

  const answer = answerQuestion(zone, query.questions[0]!);
  const message = reply(answer.rcode, query);
  message.flags.aa = answer.authoritative;
  message.answers = answer.answers;
  message.authorities = answer.authorities;
  message.additionals = answer.additionals;
  const full = encodeMessage(withOpt(message));
  if (transport === 'tcp') return full;

  const limit = opt ? Math.min(Math.max(opt.class, CLASSIC_UDP_SIZE), EDNS_UDP_SIZE) : CLASSIC_UDP_SIZE;
  if (full.length <= limit) return full;
  const truncated = reply(answer.rcode, query);
  truncated.flags.aa = answer.authoritative;
  truncated.flags.tc = true;
  return encodeMessage(withOpt(truncated));
}
