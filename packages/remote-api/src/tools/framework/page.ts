import { ToolFailure } from '../context.js';

/** Characters of entries one page may hold, so the whole result stays under the 25,000-character cap. */
export const PAGE_BUDGET = 20_000;

export interface Page<T> {
  items: T[];
  /** Matching entries in all. */
  total: number;
  /** What the caller passes as `continue` for the next entries; "" when there are none. */
  continue: string;
}

const TOKEN_PREFIX = 'after:';

function encode(offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${offset}`).toString('base64url');
}

function decode(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const text = Buffer.from(token, 'base64url').toString();
  const offset = Number(text.slice(TOKEN_PREFIX.length));
  if (!text.startsWith(TOKEN_PREFIX) || !Number.isSafeInteger(offset) || offset < 0) {
    throw new ToolFailure(
      'invalid_input',
      'continue: not a value this tool returned; omit it to start from the first entries',
    );
  }
  return offset;
}

/**
 * One page of a list that can be long: at most `limit` entries, fewer when their JSON would pass
 * `budget` characters (always at least one), starting where `continue` says. Lists in newest-first
 * order page from the start; oldest-first ones (`fromEnd`, logs) page from the newest end back and
 * keep their order. Positions are counted again on every call, so entries that arrive in between
 * shift the next page by as many.
 */
export function pageOf<T>(
  all: readonly T[],
  args: { limit?: number | undefined; continue?: string | undefined },
  options: { fromEnd?: boolean; budget?: number } = {},
): Page<T> {
  const total = all.length;
  const offset = Math.min(decode(args.continue), total);
  const budget = options.budget ?? PAGE_BUDGET;
  const wanted = Math.min(args.limit ?? total, total - offset);
  // Walk away from the start of the page (or the newest end) while the budget lasts.
  const taken: T[] = [];
  let used = 0;
  for (let i = 0; i < wanted; i++) {
    const item = options.fromEnd ? all[total - 1 - offset - i]! : all[offset + i]!;
    used += JSON.stringify(item).length + 1;
    if (used > budget && taken.length > 0) break;
    taken.push(item);
  }
  const next = offset + taken.length;
  return {
    items: options.fromEnd ? taken.reverse() : taken,
    total,
    continue: next < total ? encode(next) : '',
  };
}

/** The line a text rendering ends with when there is more to get. */
export function moreLine(page: Page<unknown>): string {
  return page.continue
    ? `… ${page.total - page.items.length} more: call again with continue "${page.continue}"`
    : '';
}
