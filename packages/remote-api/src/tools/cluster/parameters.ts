/** Whether a caller may set PostgreSQL parameters on a cluster (cluster_create, cluster_set_parameters). */
import { type Access, requireParametersAllowed } from '../../policy.js';
import { ToolFailure } from '../context.js';
import { OPERATOR_MANAGED_PARAMETERS } from './model.js';

/**
 * Refuses parameters the operator manages (invalid input: CloudNativePG would reject or override
 * them), then those the policy keeps for admins (code-loading, command-running, authentication).
 * A null value removes a parameter.
 */
export function requireParametersSettable(access: Access, parameters: Record<string, string | null>): void {
  const managed = Object.keys(parameters).filter((n) => OPERATOR_MANAGED_PARAMETERS.has(n));
  if (managed.length) {
    throw new ToolFailure(
      'invalid_input',
      `parameters: ${managed.join(', ')} ${managed.length === 1 ? 'is' : 'are'} managed by the CloudNativePG operator and cannot be set`,
    );
  }
  requireParametersAllowed(access, parameters);
}
