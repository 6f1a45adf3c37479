import { z } from 'zod';
import { dryRunField, imageCatalogField, imageField, postgresMajorField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { clusterTarget, destructiveIdempotent } from '../shared.js';

export const clusterImageUpgrade = {
  name: 'cluster_image_upgrade',
  group: 'cluster',
  title: 'Upgrade the PostgreSQL image',
  description:
    'Changes the PostgreSQL image (one of image, postgres_major, image_catalog): a minor update rolls; a higher major is an offline upgrade; no downgrades.',
  details:
    'Changes the PostgreSQL image: a minor update is a rolling update; a higher major is an offline in-place upgrade. Downgrading the major version is refused. Give exactly one of `image`, `postgres_major`, `image_catalog`.',
  inputSchema: z.strictObject({
    ...clusterTarget,
    image: imageField.optional(),
    postgres_major: postgresMajorField.optional(),
    image_catalog: imageCatalogField.optional(),
    dry_run: dryRunField,
  }),
  outputSchema: mutationOutput.extend({
    previousImage: z.string(),
    image: z.string(),
    majorUpgrade: z.boolean(),
  }),
  // Destructive: a major upgrade cannot be undone. The person confirms that (where the client can
  // ask); a minor update runs at once.
  annotations: destructiveIdempotent,
  requiredScope: 'write',
  confirmation: {
    onlySome: true,
    question:
      'Change the PostgreSQL image of cluster {name} (namespace {namespace|your default})? Instances restart; a new major version is an offline upgrade that cannot be undone.',
  },
} satisfies ToolDefinition;
