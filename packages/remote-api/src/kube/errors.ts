import { ApiException } from '@kubernetes/client-node';

export type KubeErrorKind =
  | 'not_found'
  | 'already_exists'
  | 'forbidden'
  | 'conflict'
  | 'invalid'
  | 'unauthorized'
  | 'unsupported'
  | 'unavailable'
  | 'other';

/** A Kubernetes API failure, translated for people: the server's message, the causes, and a hint. */
export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    readonly status: number,
    message: string,
    readonly causes: { field: string; message: string }[],
    readonly hint: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

const HINTS: Record<KubeErrorKind, string> = {
  not_found: 'Check the name and namespace; cluster_list shows what exists.',
  already_exists: 'Choose another name, or work with the existing object.',
  forbidden:
    'Kubernetes RBAC refused the request for the remote API (or the impersonated user); an administrator must grant it.',
  conflict: 'The object changed while this call ran; run the tool again.',
  invalid: 'Fix the fields named above and run the tool again.',
  unauthorized: 'The remote API could not authenticate to Kubernetes; check its service account.',
  unsupported: 'The Kubernetes API does not support this request.',
  unavailable: 'The Kubernetes API is unreachable or overloaded; try again shortly.',
  other: 'Unexpected response from the Kubernetes API.',
};

function kindOf(status: number, reason: string | undefined): KubeErrorKind {
  if (status === 404) return 'not_found';
  if (status === 409) return reason === 'AlreadyExists' ? 'already_exists' : 'conflict';
  if (status === 403) return 'forbidden';
  if (status === 401) return 'unauthorized';
  if (status === 422 || status === 400) return 'invalid';
  if (status === 415 || status === 405) return 'unsupported';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'other';
}

export function translateKubeError(error: unknown): KubeError | undefined {
  if (error instanceof KubeError) return error;
  if (error instanceof ApiException) {
    const status = Number(error.code);
    let body: StatusBody = {};
    try {
      body =
        typeof error.body === 'string'
          ? (JSON.parse(error.body) as StatusBody)
          : ((error.body as StatusBody) ?? {});
    } catch {
      body = { message: String(error.body).slice(0, 500) };
    }
    const kind = kindOf(status, body.reason);
    const causes = (body.details?.causes ?? []).map((c) => ({
      field: c.field ?? '',
      message: c.message ?? c.reason ?? '',
    }));
    return new KubeError(kind, status, body.message ?? `HTTP ${status}`, causes, HINTS[kind]);
  }
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.cause?.code ??
    (error as { code?: unknown })?.code;
  if (error instanceof Error && (error.name === 'FetchError' || typeof code === 'string')) {
    return new KubeError(
      'unavailable',
      0,
      `Kubernetes API unreachable: ${error.message}`,
      [],
      HINTS.unavailable,
    );
  }
  return undefined;
}

/** Renders a translated error as a tool error message. */
export function describeKubeError(error: KubeError): string {
  const lines = [`Kubernetes ${error.kind.replace('_', ' ')} (HTTP ${error.status}): ${error.message}`];
  for (const cause of error.causes)
    lines.push(`  - ${cause.field ? `${cause.field}: ` : ''}${cause.message}`);
  lines.push(`Hint: ${error.hint}`);
  return lines.join('\n');
}
