/**
 * The Swagger 2.0 document in the protobuf encoding clients ask `/openapi/v2` for
 * (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf): gnostic's
 * openapi.v2.Document (github.com/google/gnostic openapiv2/OpenAPIv2.proto). kubectl 1.20 accepts
 * nothing else. Only the parts clients read are encoded: swagger, info, path operations with their
 * query parameters and extensions, and the definitions. Extension and enum values travel as YAML
 * text, and JSON is YAML.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { isPlainObject } from '../types.js';

type Node = Record<string, unknown>;

function message(w: BinaryWriter, field: number, write: (w: BinaryWriter) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  write(w);
  w.join();
}

function string(w: BinaryWriter, field: number, value: unknown): void {
  if (typeof value === 'string' && value !== '') w.tag(field, WireType.LengthDelimited).string(value);
}

function int64(w: BinaryWriter, field: number, value: unknown): void {
  if (typeof value === 'number') w.tag(field, WireType.Varint).int64(value);
}

function double(w: BinaryWriter, field: number, value: unknown): void {
  if (typeof value === 'number') w.tag(field, WireType.Bit64).double(value);
}

/** openapi.v2.Any {yaml = 2}. */
function any(w: BinaryWriter, field: number, value: unknown): void {
  message(w, field, (m) => string(m, 2, JSON.stringify(value)));
}

/** repeated NamedAny vendor_extension: every `x-` key of a node. */
function extensions(w: BinaryWriter, field: number, node: Node): void {
  for (const [name, value] of Object.entries(node)) {
    if (!name.startsWith('x-')) continue;
    message(w, field, (m) => {
      string(m, 1, name);
      any(m, 2, value);
    });
  }
}

/** openapi.v2.Schema. */
function schema(w: BinaryWriter, node: Node): void {
  string(w, 1, node.$ref);
  string(w, 2, node.format);
  string(w, 4, node.description);
  if (node.default !== undefined) any(w, 5, node.default);
  double(w, 7, node.maximum);
  double(w, 9, node.minimum);
  int64(w, 11, node.maxLength);
  int64(w, 12, node.minLength);
  string(w, 13, node.pattern);
  int64(w, 14, node.maxItems);
  int64(w, 15, node.minItems);
  for (const name of (node.required as string[] | undefined) ?? []) string(w, 19, name);
  for (const value of (node.enum as unknown[] | undefined) ?? []) any(w, 20, value);
  const additional = node.additionalProperties;
  if (isPlainObject(additional)) message(w, 21, (m) => message(m, 1, (s) => schema(s, additional)));
  else if (typeof additional === 'boolean') message(w, 21, (m) => m.tag(2, WireType.Varint).bool(additional));
  if (typeof node.type === 'string') message(w, 22, (m) => string(m, 1, node.type));
  if (isPlainObject(node.items)) message(w, 23, (m) => message(m, 1, (s) => schema(s, node.items as Node)));
  if (isPlainObject(node.properties)) {
    message(w, 25, (m) => {
      for (const [name, child] of Object.entries(node.properties as Record<string, Node>)) {
        message(m, 1, (named) => {
          string(named, 1, name);
          message(named, 2, (s) => schema(s, child));
        });
      }
    });
  }
  extensions(w, 31, node);
}

/** openapi.v2.Operation: id, query parameters (NonBodyParameter.query_parameter_sub_schema), extensions. */
function operation(w: BinaryWriter, node: Node): void {
  string(w, 5, node.operationId);
  for (const param of (node.parameters as Node[] | undefined) ?? []) {
    message(w, 8, (item) =>
      message(item, 1, (p) =>
        message(p, 2, (nonBody) =>
          message(nonBody, 3, (q) => {
            string(q, 2, param.in);
            string(q, 4, param.name);
            string(q, 6, param.type);
            if (param.uniqueItems === true) q.tag(20, WireType.Varint).bool(true);
          }),
        ),
      ),
    );
  }
  extensions(w, 13, node);
}

const METHODS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

export function swaggerToProtobuf(doc: Node): Uint8Array {
  const w = new BinaryWriter();
  string(w, 1, doc.swagger);
  const info = doc.info as Node;
  message(w, 2, (m) => {
    string(m, 1, info.title);
    string(m, 2, info.version);
  });
  message(w, 8, (paths) => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Node>)) {
      message(paths, 2, (named) => {
        string(named, 1, path);
        message(named, 2, (p) => {
          for (const [method, field] of Object.entries(METHODS)) {
            if (isPlainObject(item[method])) message(p, field, (o) => operation(o, item[method] as Node));
          }
        });
      });
    }
  });
  message(w, 9, (definitions) => {
    for (const [name, node] of Object.entries(doc.definitions as Record<string, Node>)) {
      message(definitions, 1, (named) => {
        string(named, 1, name);
        message(named, 2, (s) => schema(s, node));
      });
    }
  });
  return w.finish();
}
