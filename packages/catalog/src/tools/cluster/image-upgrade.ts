import { z } from 'zod';
import { dryRunField, imageCatalogField, imageField, postgresMajorField } from '../../fields.js';
import { mutationOutput } from '../../outputs.js';
import type { ToolDefinition } from '../../types.js';
import { change, clusterTarget } from '../shared.js';

export const clusterImageUpgrade = {
  name: 'cluster_image_upgrade',
  group: 'cluster',
  title: 'Upgrade the PostgreSQL image',
  description:
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
  annotations: change,
  requiredScope: 'write',
} satisfies ToolDefinition;
