import { z } from 'zod';
import { namespaceField } from '../../fields.js';
import { clusterRefField, pgIdentifierField } from '../shared.js';

/** Pieces shared by the publication and subscription tools. */

export const logicalTarget = {
  namespace: namespaceField.optional(),
  cluster: clusterRefField,
  name: pgIdentifierField,
};

export const parametersField = z
  .record(
    z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z_]+$/),
    z.string().max(256),
  )
  .describe('WITH (…) parameters.');

export const logicalListInput = z.strictObject({
  namespace: namespaceField.optional(),
  cluster: clusterRefField.optional(),
});
