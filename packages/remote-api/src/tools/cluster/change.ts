import {
  clusterImageUpgrade,
  clusterMaintenance,
  clusterScale,
  clusterSetParameters,
  clusterStorageGrow,
  parseQuantity,
} from '@cnpg-mcp/catalog';
import { CNPG } from '../../kube/client.js';
import { implement, ToolFailure } from '../context.js';
import { imageChoice, refuseManagedParameters } from './create.js';
import { imageForMajor, majorFromImage } from './model.js';
import { clusterForChange, mutation, patchCluster } from './ops.js';
import { checkInstanceQuota, checkStorageQuota } from './quota.js';

export const clusterScaleTool = implement(clusterScale, async (args, ctx) => {
  const { namespace, cluster } = await clusterForChange(ctx, args);
  const previous = cluster.spec?.instances ?? 0;
  checkInstanceQuota(ctx, args.instances);
  checkStorageQuota(ctx, args.instances, cluster.spec?.storage?.size ?? '0', cluster.spec?.walStorage?.size);
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { spec: { instances: args.instances } },
    args.dry_run,
  );
  const message = `cluster ${namespace}/${args.name} scaled from ${previous} to ${args.instances} instance(s)`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'scaled', args.dry_run, message, patched),
      previousInstances: previous,
      instances: args.instances,
    },
    text: args.dry_run ? `Dry run: ${message}` : message,
  };
});

export const clusterStorageGrowTool = implement(clusterStorageGrow, async (args, ctx) => {
  const { namespace, cluster } = await clusterForChange(ctx, args);
  const previous = cluster.spec?.storage?.size ?? '';
  const before = parseQuantity(previous) ?? 0;
  const after = parseQuantity(args.storage_size) ?? 0;
  if (after < before) {
    throw new ToolFailure(
      'invalid_input',
      `storage_size: ${args.storage_size} is smaller than the current ${previous}; volumes can only grow in place`,
    );
  }
  const previousWal = cluster.spec?.walStorage?.size;
  if (
    args.wal_storage_size &&
    previousWal &&
    (parseQuantity(args.wal_storage_size) ?? 0) < (parseQuantity(previousWal) ?? 0)
  ) {
    throw new ToolFailure(
      'invalid_input',
      `wal_storage_size: ${args.wal_storage_size} is smaller than the current ${previousWal}`,
    );
  }
  checkStorageQuota(
    ctx,
    cluster.spec?.instances ?? 1,
    args.storage_size,
    args.wal_storage_size ?? previousWal,
  );
  const spec: Record<string, unknown> = { storage: { size: args.storage_size } };
  if (args.wal_storage_size) spec.walStorage = { size: args.wal_storage_size };
  const patched = await patchCluster(ctx, namespace, args.name, { spec }, args.dry_run);
  const message = `storage of ${namespace}/${args.name} set from ${previous} to ${args.storage_size}${args.wal_storage_size ? `, WAL ${args.wal_storage_size}` : ''}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'resized', args.dry_run, message, patched),
      previousSize: previous,
      size: args.storage_size,
    },
    text: args.dry_run
      ? `Dry run: ${message}`
      : `${message}; the operator resizes each volume (see cluster_status).`,
  };
});

export const clusterSetParametersTool = implement(clusterSetParameters, async (args, ctx) => {
  refuseManagedParameters(Object.keys(args.parameters));
  const { namespace } = await clusterForChange(ctx, args);
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { spec: { postgresql: { parameters: args.parameters } } },
    args.dry_run,
  );
  const parameters = patched.spec?.postgresql?.parameters ?? {};
  const changes = Object.entries(args.parameters).map(([k, v]) =>
    v === null ? `${k} removed` : `${k}=${v}`,
  );
  const message = `parameters of ${namespace}/${args.name}: ${changes.join(', ')}`;
  return {
    structured: { ...mutation(namespace, args.name, 'patched', args.dry_run, message, patched), parameters },
    text: args.dry_run
      ? `Dry run: ${message}`
      : `${message}; the operator reloads or restarts instances as each parameter requires.`,
  };
});

export const clusterImageUpgradeTool = implement(clusterImageUpgrade, async (args, ctx) => {
  imageChoice(args, true);
  const { namespace, cluster } = await clusterForChange(ctx, args);
  const previousImage = cluster.status?.image ?? cluster.spec?.imageName ?? '';
  const currentMajor =
    cluster.status?.pgDataImageInfo?.majorVersion ??
    cluster.spec?.imageCatalogRef?.major ??
    majorFromImage(previousImage);
  const image = args.image ?? (args.postgres_major ? imageForMajor(args.postgres_major) : '');
  const targetMajor = args.image_catalog?.major ?? majorFromImage(image);
  if (currentMajor !== undefined && targetMajor !== undefined && targetMajor < currentMajor) {
    throw new ToolFailure(
      'invalid_input',
      `cannot downgrade PostgreSQL from major ${currentMajor} to ${targetMajor}`,
    );
  }
  const spec = args.image_catalog
    ? { imageCatalogRef: { apiGroup: CNPG.group, ...args.image_catalog }, imageName: null }
    : { imageName: image, imageCatalogRef: null };
  const patched = await patchCluster(ctx, namespace, args.name, { spec }, args.dry_run);
  const majorUpgrade = currentMajor !== undefined && targetMajor !== undefined && targetMajor > currentMajor;
  const shown = args.image_catalog
    ? `${args.image_catalog.kind} ${args.image_catalog.name} (major ${args.image_catalog.major})`
    : image;
  const message = `image of ${namespace}/${args.name} set to ${shown}${majorUpgrade ? ` (major upgrade ${currentMajor} → ${targetMajor}, offline)` : ' (rolling update)'}`;
  return {
    structured: {
      ...mutation(namespace, args.name, 'upgraded', args.dry_run, message, patched),
      previousImage,
      image: shown,
      majorUpgrade,
    },
    text: args.dry_run ? `Dry run: ${message}` : message,
  };
});

export const clusterMaintenanceTool = implement(clusterMaintenance, async (args, ctx) => {
  const { namespace } = await clusterForChange(ctx, args);
  const window = { inProgress: args.in_progress, reusePVC: args.reuse_pvc };
  const patched = await patchCluster(
    ctx,
    namespace,
    args.name,
    { spec: { nodeMaintenanceWindow: window } },
    args.dry_run,
  );
  const message = `maintenance window of ${namespace}/${args.name} ${args.in_progress ? `started (reusePVC=${args.reuse_pvc})` : 'ended'}`;
  return {
    structured: mutation(
      namespace,
      args.name,
      args.in_progress ? 'maintenance-started' : 'maintenance-ended',
      args.dry_run,
      message,
      patched,
    ),
    text: args.dry_run ? `Dry run: ${message}` : message,
  };
});
