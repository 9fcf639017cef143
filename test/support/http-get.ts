// One HTTP request over a new connection, its status and body as text; rejects on a socket error
// or after timeoutMs.
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpGet(host: string, port: number, urlPath = '/', opts: { method?: string; localAddress?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, path: urlPath, method: opts.method ?? 'GET', agent: false, timeout: opts.timeoutMs ?? 10_000, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
