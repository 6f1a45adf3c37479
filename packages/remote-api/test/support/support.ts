import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'remote-api-test-'));
}

/** A kubeconfig for a server nothing listens on, for tests that do not reach Kubernetes. */
export function unreachableKubeconfig(): string {
  const path = join(tempDir(), 'kubeconfig');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'none', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'none', user: { token: 'unused' } }],
      contexts: [{ name: 'none', context: { cluster: 'none', user: 'none' } }],
      'current-context': 'none',
    }),
  );
  return path;
}

/**
 * An SDK client of the remote. Tests see every toolset unless they ask for others (`toolsets`, the
 * X-MCP-Toolsets header; null sends none, so the server's default applies).
 */
export async function connectClient(
  api: { mcpUrl: URL },
  token: string,
  toolsets: string | null = 'all',
): Promise<Client> {
  const client = new Client({ name: 'remote-api-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(api.mcpUrl, {
    requestInit: {
      headers: {
        Authorization: `Bearer ${token}`,
        ...(toolsets === null ? {} : { 'X-MCP-Toolsets': toolsets }),
      },
    },
  });
  await client.connect(transport);
  return client;
}

/** POSTs one JSON-RPC message to /mcp and returns the raw response. */
export function postMcp(api: { mcpUrl: URL }, body: unknown, authorization?: string): Promise<Response> {
  return fetch(api.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify(body),
  });
}

export const initializeMessage = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** Parses the named parameters of a `Bearer …` challenge. */
export function parseChallenge(header: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header?.startsWith('Bearer ')) return params;
  for (const match of header.slice(7).matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[match[1]!] = match[2]!.replace(/\\(.)/g, '$1');
  }
  return params;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP request with headers fetch() will not send as given (Host), as a browser or attacker could. */
export function rawRequest(
  url: string | URL,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
