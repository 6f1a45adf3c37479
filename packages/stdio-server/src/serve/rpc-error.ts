import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A JSON-RPC error answered as it is. The SDK's McpError puts "MCP error <code>: " in front of its
 * message and the receiving client adds it again, so a relayed McpError would read
 * "MCP error -32602: MCP error -32602: …"; this one carries the bare message.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** An McpError received from the other side, as the error it sent (its message without the prefix). */
export function receivedRpcError(error: McpError): RpcError {
  const prefix = `MCP error ${error.code}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new RpcError(error.code, message, error.data);
}

/** Relays an error from the other side unchanged; anything else is left to the caller. */
export function asReceived(error: unknown): unknown {
  return error instanceof McpError ? receivedRpcError(error) : error;
}
