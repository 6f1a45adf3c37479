import { catalog } from './catalog.js';

/** MCP prompts as data: the stdio server can list and render them offline; the remote API serves the same. */

export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  arguments: PromptArgument[];
  /** Renders the prompt's user message; arguments were checked by `promptArgumentsProblem`. */
  render(args: Record<string, string>): string;
}

const namespaceArg: PromptArgument = {
  name: 'namespace',
  description: 'Kubernetes namespace (the server default when omitted).',
  required: false,
};

const inNamespace = (args: Record<string, string>) =>
  args.namespace ? ` in namespace "${args.namespace}"` : '';

export const createHaClusterPrompt: PromptDefinition = {
  name: 'create_production_cluster',
  title: 'Create a production-grade HA cluster',
  description:
    'Guides the creation of a highly available PostgreSQL cluster: three instances spread over nodes, separate WAL volume, resources, scheduled backups, a pooler, and monitoring, checked with a dry run first.',
  arguments: [
    { name: 'name', description: 'Cluster name (DNS-1035, at most 50 characters).', required: true },
    namespaceArg,
    {
      name: 'postgres_major',
      description: 'PostgreSQL major version, 14 to 18 (default 18).',
      required: false,
    },
    { name: 'storage_size', description: 'Data volume size, e.g. 50Gi (default 20Gi).', required: false },
  ],
  render: (args) =>
    [
      `Create a production-grade, highly available CloudNativePG cluster "${args.name}"${inNamespace(args)}.`,
      '',
      'Plan (show me the plan and each dry-run result before writing anything):',
      `1. whoami: check that I may write${inNamespace(args)} and what my quotas are.`,
      `2. cluster_create with dry_run=true: instances=3, postgres_major=${args.postgres_major || '18'}, storage_size=${args.storage_size || '20Gi'}, a separate wal_storage_size (about a quarter of the data size), affinity {"enablePodAntiAffinity":true,"podAntiAffinityType":"required","topologyKey":"kubernetes.io/hostname"}, resources with equal requests and limits for memory, enable_pod_monitor=true. Then run it for real with wait=true and report progress.`,
      '3. role_create for an application role with login and a generated password (never print it), and database_create owned by that role.',
      '4. Backups: check the cluster has a backup method (Barman Cloud plugin or volume snapshots); scheduled_backup_create with a daily six-field schedule such as "0 0 2 * * *" and immediate=true; then backup_wait on the first backup.',
      '5. pooler_create: an rw pooler with pool_mode transaction and 2 instances.',
      '6. cluster_status and cluster_connection_info to summarise the result (no secret values).',
      'Stop and ask me if any step fails or a policy refuses it.',
    ].join('\n'),
};

export const troubleshootClusterPrompt: PromptDefinition = {
  name: 'troubleshoot_cluster',
  title: 'Troubleshoot an unhealthy cluster',
  description:
    'Collects the status, pods, warning events, error logs, backups and poolers of a cluster and explains what is wrong and what to do, without changing anything.',
  arguments: [{ name: 'name', description: 'Cluster name.', required: true }, namespaceArg],
  render: (args) =>
    [
      `The CloudNativePG cluster "${args.name}"${inNamespace(args)} looks unhealthy. Diagnose it without changing anything:`,
      '1. cluster_status with detail "detailed": phase, phase reason, conditions, primary vs target primary, fenced instances, hibernation, certificates.',
      '2. cluster_pods: which instances are not ready, restarting, or pending (and on which node).',
      '3. cluster_events with type Warning (limit 30), newest first.',
      '4. cluster_logs with level warning (tail 300), then for the failing instance with level debug if needed; look at PostgreSQL severities, instance-manager errors and WAL archiving failures.',
      '5. backup_list for the cluster (WAL archiving or backup failures) and pooler_list.',
      'Then explain the most likely cause, the evidence, and the safest next steps (e.g. cluster_restart of one instance, cluster_switchover, cluster_storage_grow), each with its dry run first. Do not run a mutating tool unless I ask.',
    ].join('\n'),
};

export const planMajorUpgradePrompt: PromptDefinition = {
  name: 'plan_major_upgrade',
  title: 'Plan a PostgreSQL major upgrade',
  description:
    'Plans an offline in-place major upgrade of a cluster: health and backup checks, extension compatibility, a fresh backup, a rehearsal on a restored copy, the upgrade itself and verification.',
  arguments: [
    { name: 'name', description: 'Cluster name.', required: true },
    namespaceArg,
    { name: 'target_major', description: 'Target PostgreSQL major version (16 to 18).', required: true },
  ],
  render: (args) =>
    [
      `Plan a major upgrade of CloudNativePG cluster "${args.name}"${inNamespace(args)} to PostgreSQL ${args.target_major}.`,
      'CloudNativePG upgrades the major version offline and in place (pg_upgrade): every instance stops, and downgrades are impossible.',
      '1. cluster_status: current major, health, instances; refuse to plan if the target is not higher than the current major.',
      '2. database_list and database_get: extensions in use, and whether each exists for the target major.',
      '3. backup_list: the last completed backup; backup_create with wait=true for a fresh one right before the upgrade.',
      '4. Rehearsal: backup_restore into a temporary cluster, then cluster_image_upgrade there with postgres_major set to the target and check the result; delete the rehearsal cluster afterwards.',
      '5. The upgrade: cluster_image_upgrade with dry_run first, then for real during a maintenance window; follow cluster_status and cluster_logs.',
      '6. Afterwards: cluster_status, ANALYZE reminders, and a new backup (backup_create).',
      'Write the plan with the expected downtime and the rollback path (restore from the fresh backup), and wait for my go-ahead before each mutating step.',
    ].join('\n'),
};

export const prompts: readonly PromptDefinition[] = [
  createHaClusterPrompt,
  troubleshootClusterPrompt,
  planMajorUpgradePrompt,
];

export function findPrompt(name: string): PromptDefinition | undefined {
  return prompts.find((prompt) => prompt.name === name);
}

const ARGUMENT_PATTERNS: Record<string, RegExp> = {
  name: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  namespace: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  postgres_major: /^(14|15|16|17|18)$/,
  target_major: /^(16|17|18)$/,
  storage_size: /^[1-9][0-9]*(Mi|Gi|Ti)$/,
};

/** Checks prompt arguments: required ones present, every one well formed; returns the problem or undefined. */
export function promptArgumentsProblem(
  prompt: PromptDefinition,
  args: Record<string, string>,
): string | undefined {
  for (const argument of prompt.arguments) {
    const value = args[argument.name];
    if (value === undefined || value === '') {
      if (argument.required) return `argument "${argument.name}" is required: ${argument.description}`;
      continue;
    }
    const pattern = ARGUMENT_PATTERNS[argument.name];
    if (value.length > 63 || (pattern && !pattern.test(value))) {
      return `argument "${argument.name}": "${value.slice(0, 80)}" is not valid (${argument.description})`;
    }
  }
  const unknown = Object.keys(args).filter((key) => !prompt.arguments.some((a) => a.name === key));
  if (unknown.length) return `unknown argument(s): ${unknown.join(', ')}`;
  return undefined;
}

/**
 * The prompt's user message: its text, and the toolsets of the tools it names, since a client sees
 * only the toolsets it chose (the default set lacks roles, databases, backups, poolers…).
 */
export function promptText(prompt: PromptDefinition, args: Record<string, string>): string {
  const text = prompt.render(args);
  const named = new Set(text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []);
  const toolsets = [
    ...new Set(
      catalog.filter((tool) => tool.group !== null && named.has(tool.name)).map((tool) => tool.group),
    ),
  ];
  return `${text}\nThese steps use the ${toolsets.join(', ')} toolsets; if a tool is not available, tell me which toolset to enable (cnpg-mcp --toolsets, or /mcp/x/<toolsets> in the URL) instead of working around it.`;
}

/** Exactly the `prompts` array of a prompts/list result. */
export function promptListForMcp() {
  return prompts.map((prompt) => ({
    name: prompt.name,
    title: prompt.title,
    description: prompt.description,
    arguments: prompt.arguments.map((a) => ({ ...a })),
  }));
}
