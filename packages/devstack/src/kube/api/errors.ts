/** metav1.Status error bodies, worded like kube-apiserver's. */
import { groupKind, groupResource, type ResourceType } from './resources.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly body: StatusBody;
  readonly headers: Record<string, string>;

  constructor(body: StatusBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.code = body.code;
    this.body = body;
    this.headers = headers;
  }
}

type RT = Pick<ResourceType, 'group' | 'plural' | 'kind'>;

function status(code: number, reason: string, message: string, details?: StatusBody['details']): StatusBody {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return body;
}

function resourceDetails(rt: RT, name: string | undefined): StatusBody['details'] {
  const details: NonNullable<StatusBody['details']> = {};
  if (name) details.name = name;
  if (rt.group) details.group = rt.group;
  details.kind = rt.plural;
  return details;
}

export function notFound(rt: RT, name: string): ApiError {
  return new ApiError(
    status(404, 'NotFound', `${groupResource(rt)} "${name}" not found`, resourceDetails(rt, name)),
  );
}

export function alreadyExists(rt: RT, name: string): ApiError {
  return new ApiError(
    status(409, 'AlreadyExists', `${groupResource(rt)} "${name}" already exists`, resourceDetails(rt, name)),
  );
}

export function generateNameConflict(rt: RT, name: string): ApiError {
  return new ApiError(
    status(
      409,
      'AlreadyExists',
      `${groupResource(rt)} "${name}" already exists, the server was not able to generate a unique name for the object`,
      resourceDetails(rt, name),
    ),
  );
}

export function conflict(rt: RT, name: string, detail: string, causes?: StatusCause[]): ApiError {
  const details = resourceDetails(rt, name)!;
  if (causes) details.causes = causes;
  return new ApiError(
    status(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${groupResource(rt)} "${name}": ${detail}`,
      details,
    ),
  );
}

export function optimisticLockConflict(rt: RT, name: string): ApiError {
  return conflict(
    rt,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(status(400, 'BadRequest', message));
}

export function unauthorized(): ApiError {
  return new ApiError(status(401, 'Unauthorized', 'Unauthorized'));
}

export function forbidden(rt: RT, name: string | undefined, detail: string): ApiError {
  const subject = name ? `${groupResource(rt)} "${name}"` : groupResource(rt);
  return new ApiError(
    status(403, 'Forbidden', `${subject} is forbidden: ${detail}`, resourceDetails(rt, name)),
  );
}

export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return new ApiError(status(405, 'MethodNotAllowed', message, {}));
}

export function pathNotFound(): ApiError {
  return new ApiError(status(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function expired(message: string): ApiError {
  return new ApiError(status(410, 'Expired', message));
}

export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(status(415, 'UnsupportedMediaType', message));
}

export function internalError(message: string): ApiError {
  return new ApiError(
    status(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ reason: '', message }],
    }),
  );
}

export function serviceUnavailable(
  message = 'the server is currently unable to handle the request',
): ApiError {
  return new ApiError(status(503, 'ServiceUnavailable', message));
}

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(
    status(
      429,
      'TooManyRequests',
      'the server has received too many requests and has asked us to try again later',
      {
        retryAfterSeconds,
      },
    ),
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function timeoutError(
  message = 'the server was unable to return a response in the time allotted',
): ApiError {
  return new ApiError(status(504, 'Timeout', message));
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The value is shown only when present (CEL failures on objects omit it). */
  value?: unknown;
  hasValue?: boolean;
  /** Shown verbatim instead of rendering `value` (e.g. Go's 0x0 for an empty resourceVersion). */
  rawValue?: string;
  detail?: string;
}

export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The text after "field: " (metav1 StatusCause.message). */
export function fieldErrorBody(err: FieldError): string {
  const withDetail = (head: string) => (err.detail ? `${head}: ${err.detail}` : head);
  switch (err.type) {
    case 'FieldValueRequired':
      return withDetail('Required value');
    case 'FieldValueForbidden':
      return withDetail('Forbidden');
    case 'FieldValueTooLong':
      return withDetail('Too long');
    case 'FieldValueTooMany':
      return withDetail('Too many');
    case 'FieldValueNotFound':
      return withDetail(`Not found: ${renderValue(err.value)}`);
    case 'FieldValueDuplicate':
      return withDetail(`Duplicate value: ${renderValue(err.value)}`);
    case 'FieldValueNotSupported':
      return withDetail(`Unsupported value: ${renderValue(err.value)}`);
    default:
      if (err.hasValue === false) return withDetail('Invalid value');
      return withDetail(`Invalid value: ${err.rawValue ?? renderValue(err.value)}`);
  }
}

export function fieldErrorMessage(err: FieldError): string {
  return `${err.field}: ${fieldErrorBody(err)}`;
}

export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    value,
    detail,
  }),
  invalidNoValue: (field: string, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    hasValue: false,
    detail,
  }),
  notSupported: (field: string, value: unknown, supported: readonly unknown[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    value,
    detail: `supported values: ${supported.map((v) => renderValue(v)).join(', ')}`,
  }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  tooLong: (field: string, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    detail: `may not be more than ${max} bytes`,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    detail: `${actual}: must have at most ${max} items`,
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid',
    field,
    value,
    detail,
  }),
};

/**
 * 422 Invalid with causes. `prefix` carries an admission webhook's "admission webhook \"x\" denied the
 * request: " wording; `kindGroup` overrides the GroupKind (CNPG's update quirk).
 */
export function invalid(
  rt: Pick<ResourceType, 'group' | 'kind'>,
  name: string,
  errors: readonly FieldError[],
  opts: { prefix?: string; group?: string } = {},
): ApiError {
  const group = opts.group ?? rt.group;
  const messages = [...new Set(errors.map(fieldErrorMessage))];
  const aggregate = messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
  const gk = groupKind({ group, kind: rt.kind });
  const details: NonNullable<StatusBody['details']> = { name, kind: rt.kind };
  if (group) details.group = group;
  details.causes = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return new ApiError(
    status(422, 'Invalid', `${opts.prefix ?? ''}${gk} "${name}" is invalid: ${aggregate}`, {
      name: details.name,
      ...(details.group ? { group: details.group } : {}),
      kind: details.kind,
      causes: details.causes,
    }),
  );
}

/** 422 for request options (PatchOptions, DeleteOptions, …). */
export function invalidOptions(kind: string, errors: readonly FieldError[]): ApiError {
  const messages = errors.map(fieldErrorMessage);
  const aggregate = messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
  return new ApiError(
    status(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${aggregate}`, {
      group: 'meta.k8s.io',
      kind,
      causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
    }),
  );
}

export function successStatus(details?: StatusBody['details']): Omit<StatusBody, 'reason' | 'message'> & {
  status: 'Success';
} {
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 } as const;
  return details ? { ...body, details } : { ...body };
}
