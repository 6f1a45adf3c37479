import type { Access } from './access.js';
import { PolicyDenied } from './denied.js';

/** The image a cluster, an upgrade or a restore would run. */
export type ImageChoice =
  | { kind: 'image'; image: string }
  | {
      kind: 'catalog';
      catalogKind: 'ImageCatalog' | 'ClusterImageCatalog';
      name: string;
      /** Made by cluster admins outside cnpg-mcp: a ClusterImageCatalog, or an ImageCatalog without the owner label. */
      adminMade: boolean;
    };

export const OFFICIAL_POSTGRES_REPOSITORY = 'ghcr.io/cloudnative-pg/postgresql';

// The reference grammar of github.com/distribution/reference (name, optional tag, optional digest).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`,
);
const WHOLE_DOMAIN = new RegExp(`^${DOMAIN}$`);
const WHOLE_PATH_COMPONENT = new RegExp(`^${PATH_COMPONENT}$`);

/** Whether the first component of a name is a registry host, by the runtime's rule; the rest is the Docker Hub. */
const isRegistryHost = (first: string) =>
  first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();

const canonicalHost = (host: string) =>
  host.toLowerCase() === 'index.docker.io' ? 'docker.io' : host.toLowerCase();

/**
 * The fully qualified repository of an image reference, as the container runtime resolves it
 * (`postgres:17` → `docker.io/library/postgres`), or undefined when it is not a valid reference.
 * Tag and digest are dropped: an allowed repository allows every tag.
 */
export function imageRepository(image: string): string | undefined {
  const match = REFERENCE.exec(image);
  if (!match) return undefined;
  const [, first, rest = ''] = match;
  if (first !== undefined && isRegistryHost(first)) return `${canonicalHost(first)}/${rest}`;
  if (first !== undefined && !WHOLE_PATH_COMPONENT.test(first)) return undefined;
  const path = first === undefined ? rest : `${first}/${rest}`;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}

/**
 * An `images.registries` entry in the form it is compared, or undefined when it is not one:
 * a fully qualified repository (`ghcr.io/org/image`: that repository, any tag or digest) or a
 * prefix ending in `/` (`registry.example.com/` or `registry.example.com/team/`: every repository
 * below it). Entries name their registry host, so `postgres` cannot mean two things.
 */
export function parseRepositoryEntry(entry: string): string | undefined {
  const prefix = entry.endsWith('/');
  const [host = '', ...path] = (prefix ? entry.slice(0, -1) : entry).split('/');
  if (!WHOLE_DOMAIN.test(host) || !isRegistryHost(host) || (path.length === 0 && !prefix)) return undefined;
  if (!path.every((component) => WHOLE_PATH_COMPONENT.test(component))) return undefined;
  return [canonicalHost(host), ...path].join('/') + (prefix ? '/' : '');
}

function repositoryAllowed(repository: string, entries: readonly string[]): boolean {
  return entries.some((entry) => {
    const normalized = parseRepositoryEntry(entry);
    if (normalized === undefined) return false;
    return normalized.endsWith('/') ? repository.startsWith(normalized) : repository === normalized;
  });
}

/**
 * Images run code of their author's choosing with the cluster's credentials and network access.
 * Non-admins may use images from `images.registries` (default: the official CloudNativePG
 * PostgreSQL images) and catalogs as `images.catalogs` says (default: those an admin made).
 */
export function requireImageAllowed(access: Access, choice: ImageChoice): void {
  if (access.admin) return;
  const rules = access.powers.images;
  if (choice.kind === 'catalog') {
    if (rules.catalogs === 'any' || (rules.catalogs === 'admin-made' && choice.adminMade)) return;
    throw new PolicyDenied(
      'images',
      rules.catalogs === 'none'
        ? `only an admin may use image catalogs (${choice.catalogKind} ${choice.name}); this server allows images from ${rules.registries.join(', ') || 'no repository'}`
        : `${choice.catalogKind} ${choice.name} was made through cnpg-mcp, not by a cluster administrator; only an admin may use it`,
      'images.catalogs',
    );
  }
  const repository = imageRepository(choice.image);
  if (repository === undefined)
    throw new PolicyDenied(
      'images',
      `"${choice.image}" is not a valid image reference (expected e.g. ${OFFICIAL_POSTGRES_REPOSITORY}:17.5)`,
    );
  if (repositoryAllowed(repository, rules.registries)) return;
  throw new PolicyDenied(
    'images',
    `image ${choice.image} (${repository}) is not from an allowed repository (allowed: ${rules.registries.join(', ') || 'none'})`,
    'images.registries',
  );
}
