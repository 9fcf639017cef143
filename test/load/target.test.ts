import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/api/types.js';
import { parseTarget, selectPort, TargetError } from '../../src/load/target.js';

describe('load target parsing', () => {
  const valid: Array<[string, unknown]> = [
    ['svc/web', { kind: 'service', name: 'web' }],
    ['svc/web:80', { kind: 'service', name: 'web', port: '80' }],
    ['svc/web:http', { kind: 'service', name: 'web', port: 'http' }],
    ['service/web-2', { kind: 'service', name: 'web-2' }],
    ['services/web', { kind: 'service', name: 'web' }],
  ];
  for (const [text, want] of valid) {
    it(`reads ${text}`, () => expect(parseTarget(text)).toEqual(want));
  }

  it('reads an http URL with its path and query', () => {
    const t = parseTarget('http://127.10.0.1:30080/hello?x=1');
    expect(t.kind).toBe('url');
    if (t.kind === 'url') expect([t.url.hostname, t.url.port, t.url.pathname, t.url.search]).toEqual(['127.10.0.1', '30080', '/hello', '?x=1']);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['a service name with upper case', 'svc/Web', /invalid service name "Web": a DNS-1035 label/],
    ['a service name starting with a digit', 'svc/1web', /DNS-1035/],
    ['an empty service name', 'svc/', /invalid service name ""/],
    ['a port out of range', 'svc/web:70000', /invalid port "70000": must be a port number between 1 and 65535/],
    ['a port of nothing', 'svc/web:', /names no port/],
    ['an https URL', 'https://127.0.0.1/', /only http:\/\/ targets/],
    ['something else', 'web', /must be svc\/NAME\[:PORT\]/],
    ['a pod', 'pod/web-abcde', /must be svc\/NAME\[:PORT\]/],
  ];
  for (const [rule, text, message] of invalid) {
    it(`rejects ${rule}`, () => {
      expect(() => parseTarget(text)).toThrow(TargetError);
      expect(() => parseTarget(text)).toThrow(message);
    });
  }
});

describe('service port selection', () => {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] },
  };
  const cases: Array<[string, string | undefined, number]> = [
    ['the first port by default', undefined, 80],
    ['a port by name', 'metrics', 9090],
    ['a port by number', '9090', 9090],
  ];
  for (const [rule, wanted, port] of cases) {
    it(`takes ${rule}`, () => expect(selectPort(svc, wanted).port).toBe(port));
  }
  it('names the ports there are when the asked one is not', () => {
    expect(() => selectPort(svc, 'grpc')).toThrow('service "web" has no port "grpc" (its ports: http 80/TCP, metrics 9090/TCP)');
  });
});
