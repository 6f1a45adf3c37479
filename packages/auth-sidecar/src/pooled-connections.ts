import type { Agent } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Keep-alive pools that never hand out a connection its server already closed. Node's Agent skips
 * a closed pooled connection only at the front of its pool, and a close that arrived can still be
 * unread when a request comes in the same I/O poll; a request written into such a connection
 * fails with "socket hang up", and a POST's outcome is then unknown. Call `freshConnectionNext`
 * before each request made with the agent.
 */
export async function freshConnectionNext(agent: Agent): Promise<void> {
  await afterNextPoll();
  dropEndedFreeSockets(agent);
}

/** Resolves once the event loop has polled for I/O (a poll phase always runs between two check phases). */
function afterNextPoll(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function dropEndedFreeSockets(agent: Agent): void {
  const pools = (agent as unknown as { freeSockets: Record<string, Socket[] | undefined> }).freeSockets;
  for (const [name, sockets] of Object.entries(pools)) {
    if (!sockets) continue;
    const open = sockets.filter((socket) => !socket.destroyed && !socket.readableEnded);
    for (const socket of sockets) if (!open.includes(socket)) socket.destroy();
    if (open.length) pools[name] = open;
    else delete pools[name];
  }
}
