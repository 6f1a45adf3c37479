/**
 * A TCP round-robin on 127.0.0.1, standing in for a Kubernetes Service in front of several
 * remote API replicas: each new connection goes to the next backend, with no affinity.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface RoundRobin {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The backends (http://host:port), in turn; may be filled in after the balancer listens. */
  backends: string[];
  close(): Promise<void>;
}

export async function startRoundRobin(backends: string[] = []): Promise<RoundRobin> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = backends.length ? new URL(backends[next++ % backends.length]!) : undefined;
    if (!target) return void client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the round-robin has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    backends,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
