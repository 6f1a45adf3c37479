import { randomBytes } from 'node:crypto';

/**
 * The remote keeps no sessions, but a client declares its capabilities only once, at initialize.
 * So the Mcp-Session-Id the remote hands out then carries what later requests need to know about
 * the client: whether it can be asked questions (elicitation). Any replica reads it back; it grants
 * nothing (every request is authenticated on its own), so a client that alters it only changes how
 * it is itself asked.
 */
export interface ClientFacts {
  /** The client declared form elicitation. */
  elicitation: boolean;
}

const PREFIX = 'cnpg1.';
const NOTHING_KNOWN: ClientFacts = { elicitation: false };

/** Whether declared capabilities include form elicitation (an empty `elicitation: {}` means form). */
export function canElicitForm(capabilities: unknown): boolean {
  const elicitation = (capabilities as { elicitation?: { form?: unknown; url?: unknown } } | undefined)
    ?.elicitation;
  if (elicitation === undefined || elicitation === null || typeof elicitation !== 'object') return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/** A new session id for a client that declared these capabilities at initialize. */
export function sessionIdFor(capabilities: unknown): string {
  const facts = { e: canElicitForm(capabilities) ? 1 : 0, n: randomBytes(12).toString('base64url') };
  return `${PREFIX}${Buffer.from(JSON.stringify(facts)).toString('base64url')}`;
}

/** What a request's Mcp-Session-Id says about its client; nothing is known without one (or with a foreign one). */
export function clientFacts(sessionId: string | string[] | undefined): ClientFacts {
  if (typeof sessionId !== 'string' || !sessionId.startsWith(PREFIX)) return NOTHING_KNOWN;
  try {
    const facts = JSON.parse(Buffer.from(sessionId.slice(PREFIX.length), 'base64url').toString()) as {
      e?: unknown;
    };
    return { elicitation: facts.e === 1 };
  } catch {
    return NOTHING_KNOWN;
  }
}
