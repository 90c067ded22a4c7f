/** Ports for services a test starts: bound on 127.0.0.1 by the kernel's choice, then released for the service. */
import { type AddressInfo, createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (bound once, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
