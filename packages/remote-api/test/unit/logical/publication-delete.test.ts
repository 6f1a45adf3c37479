import { describe } from 'node:test';
import { publicationDelete } from '@cnpg-mcp/catalog';
import { publicationDeleteTool } from '../../../src/tools/logical/publication-delete.js';
import { logicalDeleteCases } from './logical-delete-cases.js';

describe('publication_delete', () => {
  logicalDeleteCases('Publication', publicationDeleteTool, (input) =>
    publicationDelete.inputSchema.parse(input),
  );
});
