/** Whether a caller may set PostgreSQL parameters on a cluster (cluster_create, cluster_set_parameters, cluster_scale). */
import { cnpgParameterProblems, type ParameterContext } from '@cnpg-mcp/catalog';
import { type Access, requireParametersAllowed } from '../../policy.js';
import { ToolFailure } from '../context.js';
import type { ClusterObject } from './model.js';

/**
 * Refuses what CloudNativePG's webhook would refuse in the parameters the cluster would have
 * (operator-owned ones, wal_level=minimal with replicas or archiving, sizes it cannot read, WAL
 * sizes against each other and the WAL volume) as invalid input naming each, before anything is
 * written; then, for the parameters this call sets, those the policy keeps for admins.
 */
export function requireParametersSettable(
  access: Access,
  changes: Record<string, string | null>,
  resulting: Record<string, string>,
  context: ParameterContext,
): void {
  requireParametersValid(resulting, context);
  requireParametersAllowed(access, changes);
}

/** The CloudNativePG refusals alone (cluster_scale: more instances may turn a setting invalid). */
export function requireParametersValid(parameters: Record<string, string>, context: ParameterContext): void {
  const problems = cnpgParameterProblems(parameters, context);
  if (problems.length === 0) return;
  throw new ToolFailure(
    'invalid_input',
    `parameters: ${problems.map((p) => `${p.parameter} ${p.message}`).join('; ')}`,
  );
}

/** The parameters a cluster has, with `changes` applied (null removes one). */
export function parametersAfter(
  cluster: ClusterObject | undefined,
  changes: Record<string, string | null> = {},
): Record<string, string> {
  const result: Record<string, string> = { ...(cluster?.spec?.postgresql?.parameters ?? {}) };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}

/** What CloudNativePG's parameter rules depend on in an existing cluster, with `instances` it would have. */
export function parameterContext(
  cluster: ClusterObject,
  instances = cluster.spec?.instances ?? 1,
): ParameterContext {
  return {
    instances,
    walStorageSize: cluster.spec?.walStorage?.size,
    // CloudNativePG's utils.IsWalArchivingDisabled.
    archiveMode: cluster.metadata.annotations?.['cnpg.io/skipWalArchiving'] === 'enabled' ? 'off' : 'on',
  };
}
