import { describe, expect, it } from 'vitest';
import { createResponseParser, stringField } from '../../src/load/response-parser.js';

interface Seen {
  status: number;
  close: boolean;
  pod: string | null;
  node: string | null;
}

function parse(chunks: Buffer[], eof = false): { responses: Seen[]; errors: string[] } {
  const responses: Seen[] = [];
  const errors: string[] = [];
  const parser = createResponseParser({
    response(status, close, body, start, len) {
      const end = new Int32Array(1);
      const field = (key: string): string | null => {
        const at = stringField(body, start, len, Buffer.from(`"${key}":"`), end);
        return at >= 0 ? body.toString('utf8', at, end[0]) : null;
      };
      responses.push({ status, close, pod: field('pod'), node: field('node') });
    },
    malformed(why) {
      errors.push(why);
    },
  });
  for (const c of chunks) parser.feed(c, 0, c.length);
  if (eof) parser.eof();
  return { responses, errors };
}

const podBody = '{"pod":"web-x7k2p","namespace":"default","podIP":"127.244.1.5","node":"node-1","container":"app","port":8080,"clientIP":"127.10.0.1","clientPort":40000,"requests":1}\n';
const podResponse = (extraHeaders = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${podBody.length}\r\n${extraHeaders}\r\n${podBody}`;

/** Every way of splitting `text` in two. */
function splits(text: string): Buffer[][] {
  const b = Buffer.from(text);
  return Array.from({ length: b.length - 1 }, (_, i) => [b.subarray(0, i + 1), b.subarray(i + 1)]);
}

describe('HTTP response parser', () => {
  const cases: Array<{ rule: string; input: string; eof?: boolean; want: Seen[] }> = [
    { rule: "reads a pod's answer: status, pod and node", input: podResponse(), want: [{ status: 200, close: false, pod: 'web-x7k2p', node: 'node-1' }] },
    { rule: 'reads two answers in one read', input: podResponse() + podResponse(), want: [{ status: 200, close: false, pod: 'web-x7k2p', node: 'node-1' }, { status: 200, close: false, pod: 'web-x7k2p', node: 'node-1' }] },
    { rule: 'notices Connection: close (a draining pod)', input: podResponse('Connection: close\r\n'), want: [{ status: 200, close: true, pod: 'web-x7k2p', node: 'node-1' }] },
    { rule: 'header names are case-insensitive', input: `HTTP/1.1 500 Internal Server Error\r\ncontent-LENGTH: 2\r\nCONNECTION: Close\r\n\r\n{}`, want: [{ status: 500, close: true, pod: null, node: null }] },
    {
      rule: 'reads a chunked body, with extensions and trailers',
      input: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9;ext=1\r\n{"pod":"a\r\nA\r\n","node":"\r\n2\r\nn1\r\n2\r\n"}\r\n0\r\nX-Trailer: 1\r\n\r\n`,
      want: [{ status: 200, close: false, pod: 'a', node: 'n1' }],
    },
    { rule: 'a 204 has no body', input: 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n', want: [{ status: 204, close: false, pod: null, node: null }, { status: 204, close: false, pod: null, node: null }] },
    { rule: 'a 100 Continue is not the answer', input: `HTTP/1.1 100 Continue\r\n\r\n${podResponse()}`, want: [{ status: 200, close: false, pod: 'web-x7k2p', node: 'node-1' }] },
    { rule: 'a body without a length is read until the server closes', input: `HTTP/1.1 200 OK\r\n\r\n${podBody}`, eof: true, want: [{ status: 200, close: true, pod: 'web-x7k2p', node: 'node-1' }] },
    { rule: 'HTTP/1.0 closes by default', input: 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', want: [{ status: 200, close: true, pod: null, node: null }] },
    { rule: 'a body that is not a pod names no pod', input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', want: [{ status: 200, close: false, pod: null, node: null }] },
  ];
  for (const c of cases) {
    it(c.rule, () => {
      expect(parse([Buffer.from(c.input)], c.eof)).toEqual({ responses: c.want, errors: [] });
    });
  }

  it('gives the same result however the bytes are split over reads', () => {
    const text = podResponse() + podResponse('Connection: close\r\n');
    const want = parse([Buffer.from(text)]);
    for (const chunks of splits(text)) expect(parse(chunks)).toEqual(want);
    // and one byte at a time
    expect(parse([...Buffer.from(text)].map((b) => Buffer.from([b])))).toEqual(want);
  });

  it('does not take a pod name from an earlier, longer answer', () => {
    const long = podResponse();
    const short = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"pod":"ab';
    expect(parse([Buffer.from(long + short)]).responses[1]).toEqual({ status: 200, close: false, pod: null, node: null });
  });

  const malformed: Array<[string, string]> = [
    ['something that is not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n'],
    ['a bad status code', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ];
  for (const [what, input] of malformed) {
    it(`reports ${what} as malformed`, () => {
      const r = parse([Buffer.from(input)]);
      expect(r.responses).toEqual([]);
      expect(r.errors).toHaveLength(1);
    });
  }
});
