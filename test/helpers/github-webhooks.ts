/**
 * Real webhook payloads from `@octokit/webhooks-examples` (api.github.com), changed only where a test needs, and
 * signed deliveries over HTTP as GitHub sends them.
 *
 * The examples are read with `readFileSync` + `JSON.parse`: under vitest a JSON import goes through Vite's JSON
 * transform, several times slower for this 4 MB file.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';

/** A webhook payload: a JSON object. */
export type WebhookPayload = Record<string, unknown>;

const definitionSchema = z.object({
  name: z.string(),
  actions: z.array(z.string()),
  examples: z.array(z.record(z.string(), z.unknown())),
});

type WebhookDefinition = z.infer<typeof definitionSchema>;

let definitions: WebhookDefinition[] | undefined;

function loadDefinitions(): WebhookDefinition[] {
  if (definitions !== undefined) return definitions;
  const file = createRequire(import.meta.url).resolve('@octokit/webhooks-examples/api.github.com/index.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  definitions = z.array(definitionSchema).parse(parsed);
  return definitions;
}

function isPlainObject(value: unknown): value is WebhookPayload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `patch` laid over `target`: objects merge key by key, anything else (arrays included) replaces, and a key whose
 * patch value is `undefined` is removed.
 */
export function deepMerge(target: WebhookPayload, patch: WebhookPayload): WebhookPayload {
  const merged: WebhookPayload = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a payload copy: an undefined override removes the field
    if (value === undefined) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(current)) merged[key] = deepMerge(current, value);
    else merged[key] = structuredClone(value);
  }
  return merged;
}

/**
 * A deep copy of the first example of event `name` (with `action`, when given), `patch` merged over it
 * (see {@link deepMerge}).
 *
 * @throws when the examples have no such event or action; the message lists what they have.
 */
export function examplePayload(name: string, action?: string, patch: WebhookPayload = {}): WebhookPayload {
  const definition = loadDefinitions().find((candidate) => candidate.name === name);
  if (definition === undefined) throw new Error(`no webhook examples for event "${name}"`);
  const example = definition.examples.find((candidate) => action === undefined || candidate.action === action);
  if (example === undefined) {
    const actions = [...new Set(definition.examples.map((candidate) => String(candidate.action)))].join(', ');
    throw new Error(`no "${name}" example with action "${action ?? ''}" (examples have: ${actions})`);
  }
  return deepMerge(structuredClone(example), patch);
}

/** The `X-Hub-Signature-256` value GitHub sends: `sha256=` + HMAC-SHA256 of the exact body, hex. */
export function signDelivery(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Where deliveries go: a server's base URL, and the webhook path (default `/api/github/webhooks`). */
export interface WebhookTarget {
  url: string;
  webhookPath?: string;
}

/** One delivery. Without `secret` and `signature` it goes unsigned. */
export interface Delivery {
  event: string;
  payload: unknown;
  /** Signs the body with this secret. */
  secret?: string;
  /** Sends this signature header verbatim instead (forgeries). */
  signature?: string;
  /** `X-GitHub-Delivery`; a fresh UUID when absent. */
  id?: string;
}

/** The app's answer to a delivery. */
export interface DeliveryResponse {
  status: number;
  body: string;
  id: string;
}

/** POSTs a delivery the way GitHub does (headers `X-GitHub-Event`, `X-GitHub-Delivery`, `X-Hub-Signature-256`). */
export async function deliver(target: WebhookTarget, delivery: Delivery): Promise<DeliveryResponse> {
  const body = JSON.stringify(delivery.payload);
  const id = delivery.id ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': delivery.event,
    'x-github-delivery': id,
    'x-github-hook-id': '1',
    'x-github-hook-installation-target-type': 'integration',
  };
  const signature =
    delivery.signature ?? (delivery.secret === undefined ? undefined : signDelivery(body, delivery.secret));
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  const response = await fetch(new URL(target.webhookPath ?? '/api/github/webhooks', target.url), {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text(), id };
}
