/**
 * The MCP `instructions` both servers send at initialize (the remote API, and the stdio server
 * before it reaches the remote). What every tool shares is said here once, not in each schema.
 */
export const serverInstructions = [
  'Manage CloudNativePG PostgreSQL clusters. Start with whoami and cluster_list; the first tool call may ask the person to log in.',
  'Shared arguments: namespace is optional and defaults to yours (whoami); booleans default to false unless a default is shown. Kubernetes names are lower-case letters, digits and "-", at most 63 characters (clusters: at most 50, starting with a letter; instances: the cluster name plus -N, e.g. pg-main-2; storage classes and object stores may hold dots, up to 253); PostgreSQL names (roles, databases, owners, schemas) are lower-case letters, digits and "_", at most 63. dry_run validates on the server and returns what would be written, writing nothing. wait waits until the change is applied, reporting progress (wait_timeout_seconds). Long lists take limit and continue (pass back the continue a result gives).',
  'Destructive calls are confirmed by the person: the client asks them when it can; otherwise confirm must repeat the name of what the call removes. Arguments a tool does not know are ignored and named in the result.',
].join('\n');
