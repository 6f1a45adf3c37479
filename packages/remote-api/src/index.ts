export type { AuditOutcome, AuditRecord } from './audit.js';
export { ConfigError, loadConfig, type RemoteApiConfig } from './config.js';
export {
  type Identity,
  identityFromClaims,
  kubernetesUserId,
  OWNER_LABEL,
  ownerMetadata,
} from './identity.js';
export { type Policy, policySchema } from './policy.js';
export { type RemoteApiOptions, type RunningRemoteApi, startRemoteApi } from './server.js';
