// The policy: who may do what. Tool modules import everything from here.
export {
  type Access,
  accessFor,
  namespaceAllowed,
  requireNamespace,
  requireWritable,
} from './policy/access.js';
export { requireObjectStoreAllowed, requireSnapshotClassAllowed } from './policy/backup-destinations.js';
export { PolicyDenied, type PolicyRule } from './policy/denied.js';
export { requireExtensionsAllowed } from './policy/extensions.js';
export {
  type ImageChoice,
  imageRepository,
  OFFICIAL_POSTGRES_REPOSITORY,
  requireImageAllowed,
} from './policy/images.js';
export {
  type Labelled,
  ownerOf,
  readableFilter,
  requireOwnership,
  requireReadable,
} from './policy/ownership.js';
export {
  RESTRICTED_POOLER_PARAMETERS,
  RESTRICTED_POSTGRES_PARAMETERS,
  requireParametersAllowed,
} from './policy/parameters.js';
export { type PoolerSettings, requirePoolerSettingsAllowed } from './policy/pooler-settings.js';
export {
  DANGEROUS_MEMBERSHIPS,
  DANGEROUS_ROLE_ATTRIBUTES,
  HARMLESS_PREDEFINED_ROLES,
  type RoleAttributes,
  requireRoleAttributesAllowed,
} from './policy/role-attributes.js';
export { loadPolicy, type Policy, parsePolicy, policySchema } from './policy/schema.js';
