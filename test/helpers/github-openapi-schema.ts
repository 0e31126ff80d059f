/**
 * A JSON-Schema validator for the subset of OpenAPI 3.0.3 that GitHub's request bodies and parameters use:
 * type, nullable, enum, properties, required, additionalProperties, min/maxProperties, items, min/maxItems,
 * uniqueItems, min/maxLength, pattern, format (date-time, date, uri), minimum/maximum, allOf/anyOf/oneOf and
 * `$ref` into the description's components. Annotations (description, example, default, title, deprecated,
 * readOnly) are ignored.
 *
 * One addition, on by default: an object whose schema lists `properties` but says nothing about
 * `additionalProperties` refuses names it does not list (`unknownProperties: 'error'`). GitHub ignores unknown
 * fields, so a misspelt `conclution` would otherwise pass silently.
 */
import { dereference, isJsonObject, stringAt, type JsonObject } from './github-openapi-spec.ts';

/** One place where a value breaks its schema. */
export interface SchemaIssue {
  /** Where, from the root given: `body.output.title`, `body.labels[2]`. */
  path: string;
  /** The schema keyword that failed (`required`, `type`, `enum`, …, or `unknown-property`). */
  keyword: string;
  message: string;
}

/** How strict {@link validateSchema} is about names a schema does not list. */
export interface SchemaOptions {
  unknownProperties: 'error' | 'allow';
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isJsonObject(value);
    default:
      return true;
  }
}

/** Structural equality of JSON values (enum, uniqueItems). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]));
  }
  return false;
}

function numberAt(schema: JsonObject, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' ? value : undefined;
}

function schemaList(schema: JsonObject, key: string): unknown[] {
  const value = schema[key];
  return Array.isArray(value) ? value : [];
}

function patternMatches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return true;
    }
  }
}

/** Property names a schema declares, its own and those of its allOf/anyOf/oneOf branches. */
function declaredProperties(schema: JsonObject, names: Set<string>, depth = 0): Set<string> {
  if (depth > 8) return names;
  const properties = schema.properties;
  if (isJsonObject(properties)) for (const name of Object.keys(properties)) names.add(name);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const branch of schemaList(schema, key)) {
      const resolved = dereference(branch);
      if (resolved !== undefined) declaredProperties(resolved, names, depth + 1);
    }
  }
  return names;
}

interface Walk {
  options: SchemaOptions;
  issues: SchemaIssue[];
}

function add(walk: Walk, path: string, keyword: string, message: string): void {
  walk.issues.push({ path, keyword, message });
}

function checkString(schema: JsonObject, value: string, path: string, walk: Walk): void {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- JSON Schema's maxLength counts code points, which is what spreading a string gives
  const length = [...value].length;
  const min = numberAt(schema, 'minLength');
  const max = numberAt(schema, 'maxLength');
  if (min !== undefined && length < min) add(walk, path, 'minLength', `must be at least ${min} characters long`);
  if (max !== undefined && length > max)
    add(walk, path, 'maxLength', `must be at most ${max} characters long (is ${length})`);
  const pattern = stringAt(schema, 'pattern');
  if (pattern !== undefined && !patternMatches(pattern, value)) add(walk, path, 'pattern', `must match ${pattern}`);
  const format = stringAt(schema, 'format');
  if (format === 'date-time' && !DATE_TIME.test(value))
    add(walk, path, 'format', 'must be an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SSZ)');
  if (format === 'date' && !DATE.test(value)) add(walk, path, 'format', 'must be a date (YYYY-MM-DD)');
  if (format === 'uri' && !URL.canParse(value)) add(walk, path, 'format', 'must be an absolute URI');
}

function checkNumber(schema: JsonObject, value: number, path: string, walk: Walk): void {
  const minimum = numberAt(schema, 'minimum');
  const maximum = numberAt(schema, 'maximum');
  const exclusiveMin = schema.exclusiveMinimum === true;
  const exclusiveMax = schema.exclusiveMaximum === true;
  if (minimum !== undefined && (exclusiveMin ? value <= minimum : value < minimum)) {
    add(walk, path, 'minimum', `must be ${exclusiveMin ? 'more than' : 'at least'} ${minimum}`);
  }
  if (maximum !== undefined && (exclusiveMax ? value >= maximum : value > maximum)) {
    add(walk, path, 'maximum', `must be ${exclusiveMax ? 'less than' : 'at most'} ${maximum}`);
  }
}

function checkArray(schema: JsonObject, value: readonly unknown[], path: string, walk: Walk): void {
  const min = numberAt(schema, 'minItems');
  const max = numberAt(schema, 'maxItems');
  if (min !== undefined && value.length < min) add(walk, path, 'minItems', `must have at least ${min} items`);
  if (max !== undefined && value.length > max)
    add(walk, path, 'maxItems', `must have at most ${max} items (has ${value.length})`);
  if (
    schema.uniqueItems === true &&
    value.some((item, i) => value.findIndex((other) => jsonEqual(other, item)) !== i)
  ) {
    add(walk, path, 'uniqueItems', 'must not repeat items');
  }
  if (schema.items !== undefined)
    value.forEach((item, i) => {
      check(schema.items, item, `${path}[${i}]`, walk, false);
    });
}

function checkObject(schema: JsonObject, value: JsonObject, path: string, walk: Walk, branch: boolean): void {
  for (const name of schemaList(schema, 'required')) {
    if (typeof name === 'string' && value[name] === undefined) add(walk, `${path}.${name}`, 'required', 'is required');
  }
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const additional = schema.additionalProperties;
  const known =
    additional === undefined && !branch && walk.options.unknownProperties === 'error'
      ? declaredProperties(schema, new Set())
      : undefined;
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const propertySchema = properties[name];
    if (propertySchema !== undefined) {
      check(propertySchema, item, `${path}.${name}`, walk, false);
    } else if (additional === false) {
      add(walk, `${path}.${name}`, 'additionalProperties', 'is not a property of this object');
    } else if (isJsonObject(additional)) {
      check(additional, item, `${path}.${name}`, walk, false);
    } else if (known !== undefined && known.size > 0 && !known.has(name)) {
      add(
        walk,
        `${path}.${name}`,
        'unknown-property',
        `is not a property of this object (known: ${[...known].join(', ')})`,
      );
    }
  }
  const count = Object.values(value).filter((item) => item !== undefined).length;
  const min = numberAt(schema, 'minProperties');
  const max = numberAt(schema, 'maxProperties');
  if (min !== undefined && count < min) add(walk, path, 'minProperties', `must have at least ${min} properties`);
  if (max !== undefined && count > max) add(walk, path, 'maxProperties', `must have at most ${max} properties`);
}

function depth(path: string): number {
  return (path.match(/[.[]/g) ?? []).length;
}

/**
 * Which failed alternative to show: the one that got furthest (its shallowest issue lies deepest), then the one
 * with fewer issues. A branch refusing the discriminating field itself is a worse guess than one whose only
 * complaints are deep inside.
 */
function closer(candidate: SchemaIssue[], best: SchemaIssue[]): boolean {
  const reach = (issues: SchemaIssue[]): number => Math.min(...issues.map((issue) => depth(issue.path)));
  const difference = reach(candidate) - reach(best);
  return difference !== 0 ? difference > 0 : candidate.length < best.length;
}

function checkBranches(schema: JsonObject, value: unknown, path: string, walk: Walk): void {
  for (const branch of schemaList(schema, 'allOf')) check(branch, value, path, walk, true);
  for (const keyword of ['anyOf', 'oneOf']) {
    const branches = schemaList(schema, keyword);
    if (branches.length === 0) continue;
    const results = branches.map((branch) => {
      const inner: Walk = { options: walk.options, issues: [] };
      check(branch, value, path, inner, true);
      return inner.issues;
    });
    const passing = results.filter((issues) => issues.length === 0).length;
    if (passing === 0) {
      const closest = results.reduce((best, issues) => (closer(issues, best) ? issues : best));
      add(walk, path, keyword, `matches none of the ${branches.length} alternatives; the closest fails with:`);
      walk.issues.push(...closest);
    } else if (keyword === 'oneOf' && passing > 1) {
      add(walk, path, keyword, `matches ${passing} of the alternatives; exactly one must match`);
    }
  }
}

function check(node: unknown, value: unknown, path: string, walk: Walk, branch: boolean): void {
  const schema = dereference(node);
  if (schema === undefined) return;
  const type = stringAt(schema, 'type');
  if (value === null) {
    if (schema.nullable === true) return;
    if (type !== undefined) {
      add(walk, path, 'nullable', `must be ${type}, not null`);
      return;
    }
  } else if (type !== undefined && !hasType(value, type)) {
    add(
      walk,
      path,
      'type',
      `must be ${type === 'integer' || type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, not ${describe(value)}`,
    );
    return;
  }
  const allowed = schema.enum;
  if (Array.isArray(allowed) && !allowed.some((option) => jsonEqual(option, value))) {
    const listed = allowed
      .slice(0, 12)
      .map((option) => JSON.stringify(option))
      .join(', ');
    add(walk, path, 'enum', `must be one of ${listed}${allowed.length > 12 ? ', …' : ''}, not ${describe(value)}`);
  }
  if (typeof value === 'string') checkString(schema, value, path, walk);
  else if (typeof value === 'number') checkNumber(schema, value, path, walk);
  else if (Array.isArray(value)) checkArray(schema, value, path, walk);
  else if (isJsonObject(value)) checkObject(schema, value, path, walk, branch);
  checkBranches(schema, value, path, walk);
}

/** Every place where `value` breaks `schema` (a schema object or a `$ref` to one); empty when it conforms. */
export function validateSchema(
  schema: unknown,
  value: unknown,
  path: string,
  options: SchemaOptions = { unknownProperties: 'error' },
): SchemaIssue[] {
  const walk: Walk = { options, issues: [] };
  check(schema, value, path, walk, false);
  return walk.issues;
}
