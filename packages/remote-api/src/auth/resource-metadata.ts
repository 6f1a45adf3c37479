import type { RemoteApiConfig } from '../config.js';

/** Where the RFC 9728 document is served: path-based for /mcp (§3.1) and at the root. */
export const RESOURCE_METADATA_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
] as const;

/** The canonical MCP URL (RFC 8707 resource indicator) for a public base URL. */
export const mcpResource = (base: string) => `${base}/mcp`;

/** The metadata URL named in every challenge (the path-based one, matching `resource`). */
export const resourceMetadataUrl = (base: string) => `${base}${RESOURCE_METADATA_PATHS[0]}`;

/** Settings the desktop stdio server discovers from the remote URL (docs: connect-url-only-clients). */
export interface DesktopDiscovery {
  issuer: string;
  client_id?: string;
  audience: string;
  scopes: string[];
}

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
  cnpg_mcp_desktop: DesktopDiscovery;
}

/**
 * RFC 9728 protected-resource metadata. `resource` is the MCP URL, not the token audience (which
 * stays OIDC_AUDIENCE); the authorization server is the remote itself in proxy mode and the
 * provider in pass-through mode. `cnpg_mcp_desktop` is this project's extension for the desktop.
 */
export function protectedResourceMetadata(config: RemoteApiConfig, base: string): ProtectedResourceMetadata {
  const { read, write } = config.scopes;
  return {
    resource: mcpResource(base),
    authorization_servers: [config.authorization.mode === 'proxy' ? base : config.oidc.issuer],
    scopes_supported: [read, write],
    bearer_methods_supported: ['header'],
    resource_name: 'cnpg-mcp',
    cnpg_mcp_desktop: {
      issuer: config.oidc.issuer,
      ...(config.authorization.desktopClientId ? { client_id: config.authorization.desktopClientId } : {}),
      audience: config.oidc.audience,
      scopes: ['openid', 'profile', 'email', 'offline_access', read, write],
    },
  };
}
