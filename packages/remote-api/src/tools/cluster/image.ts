/** Which PostgreSQL image a cluster runs, and whether the caller may choose it (cluster_create, cluster_image_upgrade). */
import { CNPG } from '../../kube/client.js';
import { type Access, type ImageChoice, ownerOf, requireImageAllowed } from '../../policy.js';
import { ToolFailure } from '../context.js';
import type { Observed, References } from '../framework/references.js';
import { imageForMajor } from './model.js';

export interface ImageArgs {
  image?: string | undefined;
  postgres_major?: number | undefined;
  image_catalog?: { kind: 'ImageCatalog' | 'ClusterImageCatalog'; name: string; major: number } | undefined;
}

/** At most (or, when `required`, exactly) one way to pick the image. */
export function requireOneImageChoice(args: ImageArgs, required: boolean): void {
  const given = (['image', 'postgres_major', 'image_catalog'] as const).filter((k) => args[k] !== undefined);
  if (given.length > 1) throw new ToolFailure('invalid_input', `${given.join(', ')}: give only one of them`);
  if (required && given.length === 0) {
    throw new ToolFailure('invalid_input', 'image, postgres_major, image_catalog: give exactly one of them');
  }
}

/**
 * The catalog an `image_catalog` argument names. Declared so the framework reads it before the
 * call and the writer lets the Cluster refer to it; who made it is for the image rule to judge
 * (admins publish catalogs for everyone), not the ownership rule.
 */
export function imageCatalogReferences<Args extends ImageArgs>(): References<Args> {
  const named = (kind: 'ImageCatalog' | 'ClusterImageCatalog') => (args: Args) =>
    args.image_catalog?.kind === kind ? args.image_catalog.name : undefined;
  const hint = 'an administrator publishes the image catalogs you may use';
  return {
    imageCatalog: {
      kind: 'ImageCatalog',
      intent: 'use',
      ownership: 'policy',
      role: 'image catalog',
      name: named('ImageCatalog'),
      hint,
    },
    clusterImageCatalog: {
      kind: 'ClusterImageCatalog',
      intent: 'use',
      ownership: 'policy',
      role: 'image catalog',
      name: named('ClusterImageCatalog'),
      hint,
    },
  };
}

/**
 * The image the arguments pick; undefined when they pick none (the operator's default image).
 * `current`: the image the cluster runs, whose flavour a postgres_major keeps.
 */
export function imageChoiceOf(args: ImageArgs, seen: Observed, current?: string): ImageChoice | undefined {
  if (args.image_catalog) {
    const { kind, name } = args.image_catalog;
    const catalog = kind === 'ImageCatalog' ? seen.imageCatalog : seen.clusterImageCatalog;
    // A ClusterImageCatalog is cluster-scoped: only cluster administrators make one.
    const adminMade =
      kind === 'ClusterImageCatalog' || (catalog !== undefined && ownerOf(catalog) === undefined);
    return { kind: 'catalog', catalogKind: kind, name, adminMade };
  }
  if (args.image) return { kind: 'image', image: args.image };
  if (args.postgres_major) return { kind: 'image', image: imageForMajor(args.postgres_major, current) };
  return undefined;
}

/** Refuses an image or catalog the policy does not allow this caller (PolicyDenied 'images'). */
export function requireImageChoiceAllowed(
  access: Access,
  args: ImageArgs,
  seen: Observed,
  current?: string,
): void {
  const choice = imageChoiceOf(args, seen, current);
  if (choice) requireImageAllowed(access, choice);
}

/** The Cluster spec fields that select the image (nothing when the arguments pick none); `current` as for imageChoiceOf. */
export function imageSpec(args: ImageArgs, current?: string): Record<string, unknown> {
  if (args.image_catalog) return { imageCatalogRef: { apiGroup: CNPG.group, ...args.image_catalog } };
  if (args.image) return { imageName: args.image };
  if (args.postgres_major) return { imageName: imageForMajor(args.postgres_major, current) };
  return {};
}
