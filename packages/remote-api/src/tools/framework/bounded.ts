/**
 * Results are bounded like the text: clients such as Claude Code hand `structuredContent` to the
 * model too, so it must not carry more than the text may.
 */
export const RESULT_LIMIT = 25_000;

/** Caps the text for people at RESULT_LIMIT characters, saying how much was cut. */
export function truncate(text: string, structuredComplete = true): string {
  if (text.length <= RESULT_LIMIT) return text;
  const rest = structuredComplete ? '; the structured content has everything' : '';
  return `${text.slice(0, RESULT_LIMIT)}\n… (truncated ${text.length - RESULT_LIMIT} characters${rest})`;
}

interface ArraySlot {
  path: string;
  array: unknown[];
  size: number;
}

function arraysIn(value: unknown, path: string, found: ArraySlot[]): void {
  if (Array.isArray(value)) {
    if (value.length > 0) found.push({ path, array: value, size: JSON.stringify(value).length });
    for (const [index, item] of value.entries()) arraysIn(item, `${path}[${index}]`, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) arraysIn(inner, path ? `${path}.${key}` : key, found);
  }
}

export interface Bounded {
  structured: Record<string, unknown>;
  /** "entries: 120 of 800 kept", one per list that was cut; empty when nothing was. */
  trimmed: string[];
  /** Still over the limit with no list left to cut (one huge value): the result cannot be sent. */
  tooLarge: boolean;
}

/**
 * Keeps structured content under RESULT_LIMIT characters of JSON by dropping entries from the end
 * of its largest lists (a list of N entries stays a list: the output schema still holds). Lists
 * that can be long page with limit/continue on their own; this catches everything else.
 */
export function boundStructured(structured: Record<string, unknown>): Bounded {
  let size = JSON.stringify(structured).length;
  if (size <= RESULT_LIMIT) return { structured, trimmed: [], tooLarge: false };
  const copy = structuredClone(structured);
  const originalLengths = new Map<string, number>();
  while (size > RESULT_LIMIT) {
    const found: ArraySlot[] = [];
    arraysIn(copy, '', found);
    const largest = found.sort((a, b) => b.size - a.size)[0];
    if (!largest) break;
    if (!originalLengths.has(largest.path)) originalLengths.set(largest.path, largest.array.length);
    // Drop about as many entries as the excess takes, at least one.
    const perEntry = largest.size / largest.array.length;
    const drop = Math.min(largest.array.length, Math.max(1, Math.ceil((size - RESULT_LIMIT) / perEntry)));
    largest.array.splice(largest.array.length - drop, drop);
    size = JSON.stringify(copy).length;
  }
  const trimmed = [...originalLengths].map(([path, length]) => {
    const kept = path.split(/\.|(?=\[)/).reduce<unknown>((node, key) => {
      const index = /^\[(\d+)\]$/.exec(key);
      return index ? (node as unknown[])[Number(index[1])] : (node as Record<string, unknown>)[key];
    }, copy) as unknown[];
    return `${path}: ${kept.length} of ${length} kept`;
  });
  return { structured: copy, trimmed, tooLarge: size > RESULT_LIMIT };
}
