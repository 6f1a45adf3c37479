import { spawn } from 'node:child_process';

/**
 * Milliseconds from spawning `node …command` until its answer to `tools/list` arrives, talking
 * raw JSON-RPC over stdio: what an MCP host waits for before it shows the tools. No MCP client
 * library runs on this side, so nothing but the server's own work is measured.
 */
export function timeToToolList(command: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, command, { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`${command[0]} exited (${code}) before answering tools/list`)),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line) as { id?: unknown };
        if (message.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          const elapsed = performance.now() - started;
          child.removeAllListeners('exit');
          child.once('exit', () => resolve(elapsed));
          child.stdin.end();
          setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        }
        newline = buffered.indexOf('\n');
      }
    });
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
  });
}

/** Milliseconds from spawning `node -e 0` until it exits: the floor any Node.js program starts from. */
export function timeBareNode(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}
