import type { RemoteApiConfig } from '../config.js';
import { TOKEN_ENDPOINT_AUTH_METHODS } from './clients.js';

export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** RFC 8414 metadata of the remote acting as the authorization server of its MCP clients. */
export function authorizationServerMetadata(config: RemoteApiConfig, base: string): Record<string, unknown> {
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    registration_endpoint: `${base}/oauth/register`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: TOKEN_ENDPOINT_AUTH_METHODS,
    scopes_supported: [config.scopes.read, config.scopes.write],
    client_id_metadata_document_supported: config.authorization.proxy?.clientMetadataDocuments ?? false,
    authorization_response_iss_parameter_supported: true,
  };
}
