import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';

/**
 * cnpg-mcp relays tool results and elicitation answers without checking them against JSON Schemas:
 * the remote API checks what it produces and the MCP client what it receives. Handing this to the
 * SDK's Server and Client keeps them from building an Ajv instance that nothing here would use.
 */
export const relayedAsIs: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};
