/**
 * Kubernetes label selectors, the part the watch cache evaluates itself: equality (`k=v`, `k==v`,
 * `k!=v`), sets (`k in (a,b)`, `k notin (a)`) and existence (`k`, `!k`). Anything else makes
 * `parseLabelSelector` return undefined, and the read goes to the API server, which knows it.
 */
export type Requirement =
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }
  | { key: string; op: 'exists' }
  | { key: string; op: 'notexists' };

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((term) => term.trim());
}

function parseTerm(term: string): Requirement | undefined {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!.split(',').map((value) => value.trim());
    if (!KEY.test(set[1]!) || !values.every((value) => VALUE.test(value))) return undefined;
    return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) {
    const [, key, op, value] = equality as unknown as [string, string, string, string];
    if (!KEY.test(key) || !VALUE.test(value)) return undefined;
    return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (term.startsWith('!')) {
    const key = term.slice(1).trim();
    return KEY.test(key) ? { key, op: 'notexists' } : undefined;
  }
  return KEY.test(term) ? { key: term, op: 'exists' } : undefined;
}

/** The requirements of a selector ([] for none: everything matches), or undefined when not understood. */
export function parseLabelSelector(text: string | undefined): Requirement[] | undefined {
  if (text === undefined || text.trim() === '') return [];
  const requirements: Requirement[] = [];
  for (const term of splitTerms(text)) {
    const requirement = parseTerm(term);
    if (!requirement) return undefined;
    requirements.push(requirement);
  }
  return requirements;
}

export function matchesLabels(
  requirements: readonly Requirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every((requirement) => {
    const has = Object.hasOwn(labels, requirement.key);
    switch (requirement.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && requirement.values.includes(labels[requirement.key]!);
      default:
        return !has || !requirement.values.includes(labels[requirement.key]!);
    }
  });
}

/** Whether every object the selector matches carries `key` (so a cache of objects with that label holds them all). */
export function requiresLabel(requirements: readonly Requirement[], key: string): boolean {
  return requirements.some(
    (requirement) => requirement.key === key && (requirement.op === 'exists' || requirement.op === 'in'),
  );
}
