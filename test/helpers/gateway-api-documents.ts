/**
 * Checks the Gateway API export's documents as a Kubernetes API server with the Gateway API CRDs would:
 * `@kubernetes-models/gateway-api`'s schemas (from the CRDs' Go types: field types, enums, patterns, lengths, item
 * counts) for HTTPRoutes, `kubernetes-models`' for the core Service, and, by hand, the CRDs' CEL rules the schemas
 * leave out (at most 128 matches per route, a prefix rewrite only with exactly one PathPrefix match, no filter type
 * twice in a rule, parentRefs unique) and the API server's name rules; no YAML aliases. Also golden files: compared byte for byte,
 * rewritten only with UPDATE_GOLDEN=1.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { HTTPRoute, type IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { type IService, Service } from 'kubernetes-models/v1/Service';
import { expect } from 'vitest';
import { parseAllDocuments, visit } from 'yaml';

const DNS_1035_LABEL = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The YAML documents of an export (throws on a YAML error). */
export function exportDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0)
      throw new Error(`YAML: ${document.errors.map((error) => error.message).join('; ')}`);
    // Anchors and aliases are valid YAML, but no place for them in manifests people read and diff.
    visit(document, {
      Alias() {
        throw new Error('YAML: an alias (*name) in the export');
      },
    });
    return document.toJS() as unknown;
  });
}

function checkMetadata(metadata: { name?: string; namespace?: string } | undefined, what: string): void {
  if (metadata?.name === undefined || !DNS_1123_SUBDOMAIN.test(metadata.name))
    throw new Error(`${what}: metadata.name ${String(metadata?.name)} is not a DNS-1123 subdomain`);
  if (metadata.namespace !== undefined && !DNS_1123_LABEL.test(metadata.namespace))
    throw new Error(`${what}: metadata.namespace ${metadata.namespace} is not a DNS-1123 label`);
}

/** The CRD's CEL rules and the API server's name rules for one HTTPRoute (the schema is checked before). */
function checkHttpRouteRules(route: HTTPRoute): void {
  const what = `HTTPRoute ${String(route.metadata?.name)}`;
  checkMetadata(route.metadata, what);
  const rules = route.spec.rules ?? [];
  const matches = rules.reduce((sum, rule) => sum + (rule.matches?.length ?? 0), 0);
  if (matches > 128) throw new Error(`${what}: ${matches} matches, the total across rules must be at most 128`);
  const parents = (route.spec.parentRefs ?? []).map(
    (ref) => `${ref.namespace ?? ''}/${ref.name}/${ref.sectionName ?? ''}`,
  );
  if (new Set(parents).size !== parents.length) throw new Error(`${what}: a parentRef is repeated`);
  for (const [index, rule] of rules.entries()) {
    const types = (rule.filters ?? []).map((filter) => filter.type);
    if (new Set(types).size !== types.length) throw new Error(`${what}: rule ${index} repeats a filter type`);
    const rewritesPrefix = (rule.filters ?? []).some(
      (filter) => filter.urlRewrite?.path?.type === 'ReplacePrefixMatch',
    );
    if (rewritesPrefix && (rule.matches?.length !== 1 || rule.matches[0]?.path?.type !== 'PathPrefix'))
      throw new Error(
        `${what}: rule ${index}: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
      );
    for (const backend of rule.backendRefs ?? [])
      if ((backend.kind ?? 'Service') === 'Service' && !DNS_1035_LABEL.test(backend.name))
        throw new Error(`${what}: rule ${index}: backend ${backend.name} is not a Service name (DNS-1035 label)`);
  }
}

/** Throws unless `document` is an HTTPRoute or Service the API server would accept. */
export function validateExportDocument(document: unknown): void {
  const kind = (document as { kind?: unknown }).kind;
  if (kind === 'HTTPRoute') {
    const route = new HTTPRoute(document as IHTTPRoute);
    route.validate();
    checkHttpRouteRules(route);
  } else if (kind === 'Service') {
    const service = new Service(document as IService);
    service.validate();
    checkMetadata(service.metadata, `Service ${String(service.metadata?.name)}`);
    if (service.spec?.selector !== undefined) throw new Error('the Service without endpoints has a selector');
  } else throw new Error(`unexpected document kind ${String(kind)}`);
}

/** Every document of an export, validated; returns them. */
export function validatedExport(text: string): unknown[] {
  const documents = exportDocuments(text);
  for (const document of documents) validateExportDocument(document);
  return documents;
}

/**
 * Compares `actual` with the golden file `test/fixtures/gateway-api/<name>` byte for byte; with UPDATE_GOLDEN=1 it
 * writes the file instead (review the diff before committing it).
 */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const file = fileURLToPath(new URL(`../fixtures/gateway-api/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') {
    await writeFile(file, actual);
    return;
  }
  let golden: Buffer;
  try {
    golden = await readFile(file);
  } catch {
    throw new Error(`no golden file ${file}: run the test with UPDATE_GOLDEN=1 to write it, then review it`);
  }
  expect(actual).toBe(golden.toString('utf8'));
  expect(Buffer.from(actual, 'utf8').equals(golden)).toBe(true);
}
