import { clusterConnectionInfo } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import { type ClusterObject, namedCluster, seenCluster } from '../cluster/model.js';
import { type CnpgObject, clusterOf, listObjects } from '../common/objects.js';
import { defineTool } from '../context.js';

type Args = z.output<typeof clusterConnectionInfo.inputSchema>;

/**
 * How to connect to the cluster: its Services (minus those it disables), its poolers, the
 * application database and user, and the names of the Secrets that hold passwords (never a value).
 */
export function connectionInfo(args: Args, namespace: string, cluster: ClusterObject, poolers: CnpgObject[]) {
  const spec = cluster.spec ?? {};
  const initdb = (
    spec.bootstrap as
      | { initdb?: { database?: string; owner?: string; secret?: { name?: string } } }
      | undefined
  )?.initdb;
  const database = initdb?.database ?? 'app';
  const user = initdb?.owner ?? database;
  const disabled = new Set(
    (spec.managed as { services?: { disabledDefaultServices?: string[] } } | undefined)?.services
      ?.disabledDefaultServices ?? [],
  );
  const host = (service: string) => `${service}.${namespace}.svc`;
  const endpoints = [
    { service: `${args.name}-rw`, purpose: 'read-write (primary)', kind: 'rw' },
    { service: `${args.name}-ro`, purpose: 'read-only (replicas)', kind: 'ro' },
    { service: `${args.name}-r`, purpose: 'read (any instance)', kind: 'r' },
  ]
    .filter((e) => !disabled.has(e.kind))
    .map(({ service, purpose }) => ({ service, host: host(service), port: 5432, purpose }));
  for (const pooler of poolers.filter((p) => clusterOf(p) === args.name)) {
    const type = typeof pooler.spec?.type === 'string' ? pooler.spec.type : 'rw';
    endpoints.push({
      service: pooler.metadata.name,
      host: host(pooler.metadata.name),
      port: 5432,
      purpose: `PgBouncer pooler (${type})`,
    });
  }
  const superuserSecretName =
    spec.enableSuperuserAccess === true
      ? ((spec.superuserSecret as { name?: string } | undefined)?.name ?? `${args.name}-superuser`)
      : '';
  const certificates = cluster.status?.certificates as { serverCASecret?: string } | undefined;
  const structured = {
    namespace,
    cluster: args.name,
    endpoints,
    database,
    user,
    secretName: initdb?.secret?.name ?? `${args.name}-app`,
    superuserSecretName,
    uri: `postgresql://${user}@${host(`${args.name}-rw`)}:5432/${database}?sslmode=require`,
    ca: certificates?.serverCASecret ?? `${args.name}-ca`,
  };
  return {
    structured,
    text: [
      `Connect to ${namespace}/${args.name}: database ${database}, user ${user}, port 5432`,
      ...endpoints.map((e) => `  ${e.host}  ${e.purpose}`),
      `Password: key "password" of Secret ${structured.secretName} (credential_reveal returns it, audited).`,
      `URI without password: ${structured.uri}`,
      superuserSecretName ? `Superuser Secret: ${superuserSecretName}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export const clusterConnectionInfoTool = defineTool({
  definition: clusterConnectionInfo,
  references: { cluster: namedCluster<Args>('read') },
  async run(args, ctx) {
    // A cluster's poolers are where to connect to it: whoever may read the cluster sees them.
    const poolers = await listObjects(ctx, 'poolers', ctx.namespace);
    return connectionInfo(args, ctx.namespace, seenCluster(ctx.seen), poolers);
  },
});
