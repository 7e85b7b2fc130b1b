/**
 * Validation of experiment parameters against an experiment's {@link Schema}.
 * Every failure is a GdlnError GDLN_INVALID_ARGUMENT whose message starts with
 * the full field path, e.g. `params.training.lr: expected a number > 0 but received "abc"`.
 */
import { GdlnError } from '../../errors.ts';
import type { ObjectSchema, Schema } from './types.ts';

/** A value as it appears in an error message. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function fail(path: string, message: string, value?: unknown, extra: Record<string, unknown> = {}): never {
  throw new GdlnError('GDLN_INVALID_ARGUMENT', `${path}: ${message}`, { path, ...(value !== undefined ? { value } : {}), ...extra });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** "a number > 0", "an integer >= 1 and <= 8". */
export function describeNumber(schema: Extract<Schema, { kind: 'number' }>): string {
  const bounds: string[] = [];
  if (schema.min !== undefined) bounds.push(`${schema.exclusiveMin ? '>' : '>='} ${schema.min}`);
  if (schema.max !== undefined) bounds.push(`<= ${schema.max}`);
  return `${schema.integer ? 'an integer' : 'a number'}${bounds.length ? ' ' + bounds.join(' and ') : ''}`;
}

/** One-line description of what a schema accepts. */
export function describeSchema(schema: Schema): string {
  switch (schema.kind) {
    case 'number':
      return describeNumber(schema);
    case 'string':
      return schema.enum ? `one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const n =
        schema.minItems !== undefined && schema.minItems === schema.maxItems
          ? ` of exactly ${schema.minItems}`
          : `${schema.minItems !== undefined ? ` of at least ${schema.minItems}` : ''}${schema.maxItems !== undefined ? ` of at most ${schema.maxItems}` : ''}`;
      return `an array${n} (items: ${describeSchema(schema.items)})`;
    }
    case 'object':
      return 'an object';
  }
}

/**
 * Checks `value` against `schema`; returns it unchanged when it conforms.
 * @param path the name of `value` in messages, e.g. 'params'
 * @throws GdlnError GDLN_INVALID_ARGUMENT naming the offending field path (bad type, out of
 *   range, unknown field, missing field, enum value not listed)
 */
export function validate<T = unknown>(value: unknown, schema: Schema, path: string): T {
  switch (schema.kind) {
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!schema.integer || Number.isInteger(value)) &&
        (schema.min === undefined || (schema.exclusiveMin ? value > schema.min : value >= schema.min)) &&
        (schema.max === undefined || value <= schema.max);
      if (!ok) fail(path, `expected ${describeNumber(schema)} but received ${showValue(value)}`, value);
      break;
    }
    case 'string':
      if (typeof value !== 'string') fail(path, `expected ${describeSchema(schema)} but received ${showValue(value)}`, value);
      if (schema.enum && !schema.enum.includes(value)) {
        fail(path, `expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')} but received ${showValue(value)}`, value, { allowed: [...schema.enum] });
      }
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `expected true or false but received ${showValue(value)}`, value);
      break;
    case 'array': {
      if (!Array.isArray(value)) fail(path, `expected ${describeSchema(schema)} but received ${showValue(value)}`, value);
      if (schema.minItems !== undefined && value.length < schema.minItems) fail(path, `expected at least ${schema.minItems} items but received ${value.length}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(path, `expected at most ${schema.maxItems} items but received ${value.length}`);
      value.forEach((item, i) => validate(item, schema.items, `${path}[${i}]`));
      break;
    }
    case 'object': {
      if (!isPlainObject(value)) fail(path, `expected an object but received ${showValue(value)}`, value);
      const known = Object.keys(schema.fields);
      for (const key of Object.keys(value)) {
        if (!(key in schema.fields)) {
          fail(`${path}.${key}`, `unknown field (known fields of ${path}: ${known.join(', ') || 'none'})`, undefined, { known });
        }
      }
      const optional = new Set(schema.optional ?? []);
      for (const key of known) {
        const v = value[key];
        if (v === undefined) {
          if (optional.has(key)) continue;
          fail(`${path}.${key}`, `required field is missing (${schema.fields[key].doc})`);
        }
        validate(v, schema.fields[key], `${path}.${key}`);
      }
      break;
    }
    default:
      throw new GdlnError('GDLN_INTERNAL', `${path}: unknown schema kind ${JSON.stringify((schema as { kind: unknown }).kind)}`);
  }
  return value as T;
}

/**
 * The schema of a dotted field path ('training.lr') inside an object schema.
 * @param label how the path is named in messages (e.g. 'sweep "training.lr"')
 * @throws GdlnError GDLN_INVALID_ARGUMENT when a segment names no field
 */
export function schemaAt(schema: ObjectSchema, dottedPath: string, label = dottedPath, root = 'params'): Schema {
  const parts = dottedPath.split('.');
  let node: Schema = schema;
  let at = root;
  for (const part of parts) {
    if (node.kind !== 'object') {
      fail(label, `${at} is ${describeSchema(node)}, not an object, so it has no field ${JSON.stringify(part)}`);
    }
    if (part === '' || !(part in node.fields)) {
      const known = Object.keys(node.fields);
      fail(label, `${at}.${part} is not a parameter (known fields of ${at}: ${known.join(', ') || 'none'})`, undefined, { known });
    }
    node = node.fields[part];
    at = `${at}.${part}`;
  }
  return node;
}

/** A copy of `obj` with the dotted path set to `value` (intermediate objects created). */
export function setPath(obj: Record<string, unknown>, dottedPath: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(obj);
  const parts = dottedPath.split('.');
  let node: Record<string, unknown> = out;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
  return out;
}

export function getPath(obj: unknown, dottedPath: string): unknown {
  let node = obj;
  for (const part of dottedPath.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Objects merge recursively; arrays and scalars in `over` replace those in `base`. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? structuredClone(base) : structuredClone(over)) as T;
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : structuredClone(v);
  }
  return out as T;
}

/** JSON with object keys sorted (recursively): equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (Array.isArray(v)) return v.map(norm);
    if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, norm(v[k])]));
    return v;
  };
  return JSON.stringify(norm(value));
}
