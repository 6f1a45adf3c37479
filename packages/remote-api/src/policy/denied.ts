/** The rule that refused; audit lines record it as the reason. */
export type PolicyRule =
  | 'namespace'
  | 'read_only'
  | 'ownership'
  | 'unlabelled'
  | 'reads'
  | 'references'
  | 'dependents'
  | 'names'
  | 'images'
  | 'roleAttributes'
  | 'extensions'
  | 'parameters'
  | 'poolerSettings'
  | 'backupDestinations'
  | 'quota.clustersPerUser'
  | 'quota.instancesPerCluster'
  | 'quota.storagePerCluster'
  | 'credentialReveal'
  | 'scope';

/**
 * A refusal by the policy. When a policy key would allow the action, `allowKeys` names it and the
 * message says so, so whoever reads the refusal knows what to ask the administrators for.
 */
export class PolicyDenied extends Error {
  readonly allowKeys: readonly string[];

  constructor(
    readonly rule: PolicyRule,
    message: string,
    allowKey?: string | readonly string[],
  ) {
    const allowKeys = allowKey === undefined ? [] : typeof allowKey === 'string' ? [allowKey] : [...allowKey];
    super(
      allowKeys.length === 0
        ? message
        : `${message}; an administrator can allow it with the policy key${allowKeys.length > 1 ? 's' : ''} ${allowKeys.join(', ')}`,
    );
    this.name = 'PolicyDenied';
    this.allowKeys = allowKeys;
  }
}
