import { clusterImageUpgrade } from '@cnpg-mcp/catalog';
import type { z } from 'zod';
import type { Access } from '../../policy.js';
import { defineTool, ToolFailure } from '../context.js';
import type { Observed } from '../framework/references.js';
import {
  imageCatalogReferences,
  imageSpec,
  requireImageChoiceAllowed,
  requireOneImageChoice,
} from './image.js';
import { type ClusterObject, majorFromImage, namedCluster, seenCluster } from './model.js';
import { mutation } from './ops.js';

type Args = z.output<typeof clusterImageUpgrade.inputSchema>;

/**
 * Pure: the patch that switches the image (one of image, postgres_major, image_catalog; the other
 * way of choosing is cleared), refusing a major downgrade and images the policy does not allow.
 */
export function planImageUpgrade(args: Args, seen: Observed, cluster: ClusterObject, access: Access) {
  requireOneImageChoice(args, true);
  const previousImage = cluster.status?.image ?? cluster.spec?.imageName ?? '';
  const currentMajor =
    cluster.status?.pgDataImageInfo?.majorVersion ??
    cluster.spec?.imageCatalogRef?.major ??
    majorFromImage(previousImage);
  const chosen = imageSpec(args, previousImage);
  const image = typeof chosen.imageName === 'string' ? chosen.imageName : '';
  const targetMajor = args.image_catalog?.major ?? majorFromImage(image);
  if (currentMajor !== undefined && targetMajor !== undefined && targetMajor < currentMajor) {
    throw new ToolFailure(
      'invalid_input',
      `cannot downgrade PostgreSQL from major ${currentMajor} to ${targetMajor}`,
    );
  }
  requireImageChoiceAllowed(access, args, seen, previousImage);
  const spec = args.image_catalog ? { ...chosen, imageName: null } : { ...chosen, imageCatalogRef: null };
  return {
    previousImage,
    shown: args.image_catalog
      ? `${args.image_catalog.kind} ${args.image_catalog.name} (major ${args.image_catalog.major})`
      : image,
    majorUpgrade: currentMajor !== undefined && targetMajor !== undefined && targetMajor > currentMajor,
    currentMajor,
    targetMajor,
    patch: { spec },
  };
}

export const clusterImageUpgradeTool = defineTool({
  definition: clusterImageUpgrade,
  references: { cluster: namedCluster<Args>('change'), ...imageCatalogReferences<Args>() },
  needsConfirmation: (args, ctx) =>
    planImageUpgrade(args, ctx.seen, seenCluster(ctx.seen), ctx.access).majorUpgrade,
  async run(args, ctx) {
    const plan = planImageUpgrade(args, ctx.seen, seenCluster(ctx.seen), ctx.access);
    const patched = await ctx.write.patch('Cluster', args.name, plan.patch);
    const message = `image of ${ctx.namespace}/${args.name} set to ${plan.shown}${plan.majorUpgrade ? ` (major upgrade ${plan.currentMajor} → ${plan.targetMajor}, offline)` : ' (rolling update)'}`;
    return {
      structured: {
        ...mutation(ctx.namespace, args.name, 'upgraded', args.dry_run, message, patched),
        previousImage: plan.previousImage,
        image: plan.shown,
        majorUpgrade: plan.majorUpgrade,
      },
      text: args.dry_run ? `Dry run: ${message}` : message,
    };
  },
});
