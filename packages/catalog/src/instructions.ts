/** The MCP `instructions` both servers send at initialize (the remote API, and the stdio server before it reaches the remote). */
export const serverInstructions =
  'Manage CloudNativePG PostgreSQL clusters. Start with whoami and cluster_list. Mutating tools support ' +
  'dry_run; destructive ones need confirm set to the resource name. The first tool call may ask the ' +
  'person to log in.';
