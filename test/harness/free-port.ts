import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

const KEY = Symbol.for('gbp-netpol.test-harness.handed-out-ports');
type GlobalWithPorts = typeof globalThis & { [KEY]?: Set<number> };

/**
 * A currently free TCP port on 127.0.0.1. The port is released before the caller binds it, so
 * another process can still take it in between; startCluster retries on "address already in use".
 * Ports are never handed out twice by the same process.
 */
export async function freePort(): Promise<number> {
  const g = globalThis as GlobalWithPorts;
  const handedOut = (g[KEY] ??= new Set());
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free port on 127.0.0.1');
}
