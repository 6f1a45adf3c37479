import type { Agent } from 'node:http';

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

/** Takes every pooled connection its server ended out of the pool, the way Node documents ('agentRemove'). */
function dropEndedFreeSockets(agent: Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) {
    for (const socket of [...(sockets ?? [])]) {
      if (!socket.destroyed && !socket.readableEnded) continue;
      // Destroyed first: the agent takes a socket out of its free pool only once it is not writable.
      socket.destroy();
      socket.emit('agentRemove');
    }
  }
}
