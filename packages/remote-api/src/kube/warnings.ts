/**
 * Admission warnings: the API server (and CloudNativePG's webhooks through it) answers a write
 * with `Warning: 299 - "text"` headers for deprecated fields, disabled validation, a five-field
 * backup schedule… The write succeeds, so nothing else would tell the person.
 */
import {
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
  type ResponseContext,
} from '@kubernetes/client-node';

/**
 * The texts of a Warning header value. Several headers reach client-node joined with ", "
 * (node-fetch), so the value is read as a list of `code agent "quoted text" ["date"]` entries
 * (RFC 7234 §5.5, as Kubernetes writes them).
 */
export function parseWarningHeader(value: string): string[] {
  const texts: string[] = [];
  for (const match of utf8(value).matchAll(/\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g)) {
    texts.push(match[1]!.replace(/\\(.)/g, '$1'));
  }
  return texts;
}

/**
 * The API server sends the text's UTF-8 bytes as they are; HTTP clients hand header bytes over as
 * latin1 characters. Read them as UTF-8 again (a value that is not valid UTF-8 stays as it came).
 */
function utf8(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\t\u0020-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? value : decoded;
}

/** Collects the warnings of every response of the calls made with its options. */
export class WarningCollector {
  private readonly seen = new Set<string>();

  /** The warnings so far, each once, in the order they came. */
  get warnings(): string[] {
    return [...this.seen];
  }

  /** `options` with a middleware that reads each response's Warning headers (kept after those already there). */
  options(
    options: ConfigurationOptions<ObservableMiddleware> | undefined,
  ): ConfigurationOptions<ObservableMiddleware> {
    const middleware: ObservableMiddleware = {
      pre: (request) => new Observable(Promise.resolve(request)),
      post: (response: ResponseContext) => {
        const header = response.headers.warning;
        if (header) for (const text of parseWarningHeader(header)) this.seen.add(text);
        return new Observable(Promise.resolve(response));
      },
    };
    return {
      ...options,
      middleware: [...(options?.middleware ?? []), middleware],
      middlewareMergeStrategy: 'append',
    };
  }
}
