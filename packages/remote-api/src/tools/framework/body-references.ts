import type { Kind } from './kinds.js';

/** An object another object's spec points at by name, in the same namespace. */
export interface BodyReference {
  kind: Kind;
  name: string;
  /** Where in the body the name was found, for the error when it was not declared. */
  field: string;
}

type Body = Record<string, unknown>;

const record = (value: unknown): Body | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : undefined;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const nameAt = (value: unknown): string | undefined => {
  const name = record(value)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

/** The Barman Cloud plugin's ObjectStore a plugin entry names (its `barmanObjectName` parameter). */
const barmanObjectName = (plugin: unknown): string | undefined => {
  const name = record(record(plugin)?.parameters)?.barmanObjectName;
  return typeof name === 'string' && name !== '' ? name : undefined;
};

function push(out: BodyReference[], kind: Kind, name: string | undefined, field: string): void {
  if (name) out.push({ kind, name, field });
}

/**
 * The references to other objects that a body of `kind` carries, from CloudNativePG's API
 * (api/v1 *_types.go): the fields by which one object makes the operator read another. The writer
 * refuses to send a body with a reference its tool did not declare and check. Volume snapshots
 * named by a recovery come from the Backup's own status and are covered by the Backup reference.
 */
export function referencesInBody(kind: Kind, body: Body): BodyReference[] {
  const out: BodyReference[] = [];
  const spec = record(body.spec) ?? {};
  switch (kind) {
    case 'Cluster': {
      const catalog = record(spec.imageCatalogRef);
      if (catalog) {
        push(
          out,
          catalog.kind === 'ClusterImageCatalog' ? 'ClusterImageCatalog' : 'ImageCatalog',
          nameAt(catalog),
          'spec.imageCatalogRef',
        );
      }
      const bootstrap = record(spec.bootstrap);
      const recovery = record(bootstrap?.recovery);
      push(out, 'Backup', nameAt(recovery?.backup), 'spec.bootstrap.recovery.backup');
      push(out, 'Secret', nameAt(record(bootstrap?.initdb)?.secret), 'spec.bootstrap.initdb.secret');
      push(out, 'Secret', nameAt(spec.superuserSecret), 'spec.superuserSecret');
      list(record(spec.managed)?.roles).forEach((role, i) => {
        push(out, 'Secret', nameAt(record(role)?.passwordSecret), `spec.managed.roles[${i}].passwordSecret`);
      });
      list(spec.plugins).forEach((plugin, i) => {
        push(out, 'ObjectStore', barmanObjectName(plugin), `spec.plugins[${i}].parameters.barmanObjectName`);
      });
      list(spec.externalClusters).forEach((external, i) => {
        push(
          out,
          'ObjectStore',
          barmanObjectName(record(external)?.plugin),
          `spec.externalClusters[${i}].plugin.parameters.barmanObjectName`,
        );
      });
      break;
    }
    case 'DatabaseRole':
      push(out, 'Cluster', nameAt(spec.cluster), 'spec.cluster');
      push(out, 'Secret', nameAt(spec.passwordSecret), 'spec.passwordSecret');
      break;
    case 'Pooler':
      push(out, 'Cluster', nameAt(spec.cluster), 'spec.cluster');
      push(out, 'Secret', nameAt(record(spec.pgbouncer)?.authQuerySecret), 'spec.pgbouncer.authQuerySecret');
      break;
    case 'Backup':
    case 'ScheduledBackup':
    case 'Database':
    case 'Publication':
    case 'Subscription':
      push(out, 'Cluster', nameAt(spec.cluster), 'spec.cluster');
      break;
    default:
      break;
  }
  return out;
}
