import { describe } from 'node:test';
import { subscriptionDelete } from '@cnpg-mcp/catalog';
import { subscriptionDeleteTool } from '../../../src/tools/logical/subscription-delete.js';
import { logicalDeleteCases } from './logical-delete-cases.js';

describe('subscription_delete', () => {
  logicalDeleteCases('Subscription', subscriptionDeleteTool, (input) =>
    subscriptionDelete.inputSchema.parse(input),
  );
});
