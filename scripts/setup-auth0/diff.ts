/** One planned (or applied) change to the tenant. */
export interface Change {
  resource: 'api' | 'application' | 'proxy-app' | 'action' | 'binding' | 'tenant' | 'connection';
  name: string;
  action: 'create' | 'update' | 'deploy' | 'bind' | 'unchanged';
  /** Fields that differ from what Auth0 holds (empty for create and unchanged). */
  fields: string[];
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.every((item) => typeof item === 'string')
      ? [...(items as string[])].sort()
      : items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

/** Does `current` already hold `desired`? Objects match when every desired key matches; arrays as sets. */
function holds(current: unknown, desired: unknown): boolean {
  if (desired && typeof desired === 'object' && !Array.isArray(desired)) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return false;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) =>
      holds((current as Record<string, unknown>)[key], value),
    );
  }
  return JSON.stringify(normalize(current)) === JSON.stringify(normalize(desired));
}

/** Top-level fields of `desired` that `current` does not hold yet (nested fields named with dots). */
export function changedFields(current: Record<string, unknown>, desired: Record<string, unknown>): string[] {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const now = current[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && now && typeof now === 'object') {
      for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
        if (!holds((now as Record<string, unknown>)[sub], subValue)) fields.push(`${key}.${sub}`);
      }
    } else if (!holds(now, value)) {
      fields.push(key);
    }
  }
  return fields;
}

/** The PATCH body for the changed fields: nested objects are sent whole (current merged with desired). */
export function patchBody(
  current: Record<string, unknown>,
  desired: Record<string, unknown>,
  fields: string[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const key = field.split('.')[0]!;
    const value = desired[key];
    const now = current[key];
    body[key] =
      value && typeof value === 'object' && !Array.isArray(value) && now && typeof now === 'object'
        ? { ...(now as Record<string, unknown>), ...(value as Record<string, unknown>) }
        : value;
  }
  return body;
}
