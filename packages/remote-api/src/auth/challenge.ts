/** RFC 6750 §3 challenges, with the RFC 9728 `resource_metadata` parameter. */

const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&').replace(/[\r\n]+/g, ' ')}"`;

export interface ChallengeParams {
  resourceMetadataUrl: string;
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  description?: string;
  scope?: string;
}

export function bearerChallenge(params: ChallengeParams): string {
  const parts = [`realm=${quote('cnpg-mcp')}`];
  if (params.error) parts.push(`error=${quote(params.error)}`);
  if (params.description) parts.push(`error_description=${quote(params.description)}`);
  if (params.scope) parts.push(`scope=${quote(params.scope)}`);
  parts.push(`resource_metadata=${quote(params.resourceMetadataUrl)}`);
  return `Bearer ${parts.join(', ')}`;
}
