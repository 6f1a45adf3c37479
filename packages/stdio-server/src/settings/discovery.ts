import type { Env, SettingName } from '@cnpg-mcp/auth-sidecar/config';
import * as z from 'zod';

/** What discovery found: the settings the remote publishes for desktop clients, and where. */
export interface Discovery {
  /** The remote URL it was discovered for. */
  remoteUrl: string;
  /** The metadata document it came from. */
  url: string;
  values: Partial<Record<DiscoveredSetting, string>>;
}

export const DISCOVERED_SETTINGS = [
  'issuer',
  'clientId',
  'audience',
  'scopes',
] as const satisfies SettingName[];
export type DiscoveredSetting = (typeof DISCOVERED_SETTINGS)[number];

/** The remote's metadata could not be read or does not describe the remote URL it was asked for. */
export class DiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

/** RFC 9728 protected-resource metadata, with the extension for desktop clients (CONTRACT-metadata.md). */
const metadataSchema = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()).optional(),
  cnpg_mcp_desktop: z
    .object({
      issuer: z.string().min(1).optional(),
      client_id: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      scopes: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});

const TIMEOUT_MS = 10_000;

/** RFC 9728 §3.1: the path-based location first (`/.well-known/oauth-protected-resource/mcp`), then the root one. */
export function metadataLocations(remoteUrl: string): string[] {
  const url = new URL(remoteUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const root = `${url.origin}/.well-known/oauth-protected-resource`;
  return path ? [`${root}${path}`, root] : [root];
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/+$/, '') === new URL(b).href.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

/**
 * Reads what the remote API publishes about itself (RFC 9728 metadata) and takes from it the
 * settings a desktop client needs: the OpenID provider, the native client id, the audience and
 * the scopes. Redirects are not followed; the document must name `remoteUrl` as its resource
 * (RFC 9728 §3.3), or a different service could hand out another provider.
 */
export async function discoverFromRemote(remoteUrl: string, env: Env): Promise<Discovery> {
  const { getEach } = await import('./http-get.js');
  const problems: string[] = [];
  const found = await getEach(metadataLocations(remoteUrl), env, TIMEOUT_MS, (url, { status, text }) => {
    if (status !== 200) {
      problems.push(`${url} answered HTTP ${status}`);
      return undefined;
    }
    let metadata: z.infer<typeof metadataSchema>;
    try {
      metadata = metadataSchema.parse(JSON.parse(text));
    } catch {
      throw new DiscoveryError(`${url} is not RFC 9728 protected-resource metadata`);
    }
    if (!sameUrl(metadata.resource, remoteUrl)) {
      throw new DiscoveryError(
        `${url} describes the resource ${metadata.resource}, not ${remoteUrl}: set the remote URL to ` +
          `${metadata.resource} if that is the remote API's MCP endpoint`,
      );
    }
    const desktop = metadata.cnpg_mcp_desktop ?? {};
    const values: Discovery['values'] = {};
    if (desktop.issuer) values.issuer = desktop.issuer;
    if (desktop.client_id) values.clientId = desktop.client_id;
    if (desktop.audience) values.audience = desktop.audience;
    if (desktop.scopes?.length) values.scopes = desktop.scopes.join(' ');
    return { remoteUrl, url, values };
  }).catch((error: unknown) => {
    throw error instanceof DiscoveryError ? error : new DiscoveryError((error as Error).message);
  });
  if (found) return found;
  throw new DiscoveryError(
    `The remote API publishes no RFC 9728 metadata for ${remoteUrl} (${problems.join('; ')}); check the remote URL`,
  );
}
