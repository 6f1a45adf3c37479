/**
 * Kubernetes RBAC for reads served from the watch cache when the remote API impersonates its
 * callers: before an impersonated caller gets objects from the cache, a SelfSubjectAccessReview
 * sent as that caller asks the API server whether they may get or list them there. The answer is
 * reused for a short time (READ_CACHE_ACCESS_TTL_SECONDS), as kube-apiserver's webhook authorizer
 * caches its decisions. A refusal, or no answer, only means the read goes to the API server as the
 * caller, which decides (and words the refusal) itself.
 */
import type {
  AuthorizationV1Api,
  ConfigurationOptions,
  ObservableMiddleware,
  V1ResourceAttributes,
} from '@kubernetes/client-node';
import type { Logger } from '../log.js';

export interface AccessQuestion {
  verb: 'get' | 'list';
  group: string;
  resource: string;
  /** undefined: across all namespaces (or a cluster-scoped resource). */
  namespace: string | undefined;
  name?: string;
}

/** Whether one caller may read what the cache would serve. */
export interface AccessCheck {
  allows(question: AccessQuestion): Promise<boolean>;
}

const MAX_ANSWERS = 20_000;

export class AccessReviews {
  private readonly answers = new Map<string, { allowed: boolean; until: number }>();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(
    private readonly api: AuthorizationV1Api,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * The check for one impersonated caller: `subject` names them as impersonated (user and groups),
   * `options` carries the impersonation headers.
   */
  forCaller(subject: string, options: ConfigurationOptions<ObservableMiddleware> | undefined): AccessCheck {
    return {
      allows: async (question) => {
        // Leave out the name first: a grant on the whole resource covers every name in it.
        const { name, ...whole } = question;
        if (await this.answer(subject, whole, options)) return true;
        return name !== undefined && (await this.answer(subject, question, options));
      },
    };
  }

  private answer(
    subject: string,
    question: AccessQuestion,
    options: ConfigurationOptions<ObservableMiddleware> | undefined,
  ): Promise<boolean> {
    const key = [
      subject,
      question.verb,
      question.group,
      question.resource,
      question.namespace ?? '',
      question.name ?? '',
    ].join('\n');
    const known = this.answers.get(key);
    if (known && known.until > Date.now()) return Promise.resolve(known.allowed);
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.review(question, options)
        .then((allowed) => {
          if (allowed !== undefined) this.remember(key, allowed);
          return allowed === true;
        })
        .finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    return pending;
  }

  private async review(
    question: AccessQuestion,
    options: ConfigurationOptions<ObservableMiddleware> | undefined,
  ): Promise<boolean | undefined> {
    const resourceAttributes: V1ResourceAttributes = {
      verb: question.verb,
      group: question.group,
      resource: question.resource,
      ...(question.namespace !== undefined ? { namespace: question.namespace } : {}),
      ...(question.name !== undefined ? { name: question.name } : {}),
    };
    try {
      const review = await this.api.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes },
          },
        },
        options,
      );
      return review.status?.allowed === true;
    } catch (error) {
      this.log.debug('access review failed; reading from the API server', { error, ...resourceAttributes });
      return undefined;
    }
  }

  private remember(key: string, allowed: boolean): void {
    this.answers.delete(key);
    while (this.answers.size >= MAX_ANSWERS) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, { allowed, until: Date.now() + this.ttlMs });
  }
}
