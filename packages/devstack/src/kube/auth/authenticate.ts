/** Bearer-token authentication and impersonation headers, as kube-apiserver's filters do them. */
import type { IncomingMessage } from 'node:http';
import { badRequest, forbidden, unauthorized } from '../api/errors.js';
import { forbiddenDetail, type Rbac, type UserInfo } from './rbac.js';

export interface TokenUser {
  token: string;
  username: string;
  groups?: string[];
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(entry: TokenUser): void {
    this.tokens.set(entry.token, {
      username: entry.username,
      groups: [...new Set([...(entry.groups ?? []), 'system:authenticated'])],
    });
  }

  /** The caller behind the Authorization header; 401 when missing or unknown. */
  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const user = m ? this.tokens.get(m[1]!) : undefined;
    if (!user) throw unauthorized();
    return user;
  }
}

const IMPERSONATE_EXTRA = 'impersonate-extra-';

/** Applies Impersonate-* headers after checking the caller may impersonate each part. */
export function impersonate(req: IncomingMessage, caller: UserInfo, rbac: Rbac): UserInfo {
  const headers = req.headersDistinct;
  const user = headers['impersonate-user']?.[0];
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0];
  const extraKeys = Object.keys(headers).filter((h) => h.startsWith(IMPERSONATE_EXTRA));
  if (!user) {
    if (groups.length > 0 || uid || extraKeys.length > 0) {
      throw badRequest(
        `requested [${[...groups.map((g) => `{Group  groups  ${g}}`), ...(uid ? [`{UID  uids  ${uid}}`] : [])].join(' ')}] without impersonating a user`,
      );
    }
    return caller;
  }
  const check = (group: string, resource: string, name: string, namespace?: string) => {
    const attrs = { verb: 'impersonate', group, resource, name, ...(namespace ? { namespace } : {}) };
    if (!rbac.allows(caller, attrs)) {
      throw forbidden(
        { group, plural: resource, kind: resource },
        name,
        forbiddenDetail(caller, { ...attrs, name: undefined }),
      );
    }
  };
  const saMatch = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (saMatch) check('', 'serviceaccounts', saMatch[2]!, saMatch[1]);
  else check('', 'users', user);
  for (const g of groups) check('', 'groups', g);
  if (uid) check('authentication.k8s.io', 'uids', uid);
  const extra: Record<string, string[]> = {};
  for (const key of extraKeys) {
    const name = decodeURIComponent(key.slice(IMPERSONATE_EXTRA.length));
    for (const value of headers[key] ?? []) check('authentication.k8s.io', `userextras/${name}`, value);
    extra[name] = headers[key] ?? [];
  }
  const resultGroups = [...groups];
  if (saMatch && groups.length === 0) {
    resultGroups.push('system:serviceaccounts', `system:serviceaccounts:${saMatch[1]}`);
  }
  if (user !== 'system:anonymous' && !resultGroups.includes('system:authenticated')) {
    resultGroups.push('system:authenticated');
  }
  return {
    username: user,
    groups: resultGroups,
    ...(uid ? { uid } : {}),
    ...(extraKeys.length ? { extra } : {}),
  };
}
