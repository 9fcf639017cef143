// A free TCP port on 127.0.0.1, for the store servers the tests and benchmarks start (Redis,
// etcd). A port found free may be taken again before the server binds it: callers retry.
import { createServer } from 'node:net';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
