/**
 * The Gateway API export as text: YAML comments first (what the routes are, how they are laid out, and what
 * HTTPRoute cannot express of the router's behaviour), then one YAML document per object (the Service without
 * endpoints first when there is one, then the HTTPRoutes by service). The same table and options give the same bytes.
 */
import { stringify } from 'yaml';
import type { GatewayApiExport, GatewayApiOptions } from './gateway-api-routes.ts';
import { MAX_RULES_PER_ROUTE } from './gateway-api-routes.ts';
import { LANE_HEADER } from './lane-key.ts';

const WIDTH = 110;

/** `text` as `# ` comment lines of at most WIDTH columns, continuation lines indented under `first`'s text. */
function comment(text: string, first = '# ', next = '#   '): string {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = next;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return `${lines.join('\n')}\n`;
}

function header(result: GatewayApiExport, options: GatewayApiOptions): string {
  const addressed =
    options.domain === undefined
      ? 'by path /<service> (the prefix is removed before the request goes on)'
      : `by host name <service>.${options.domain}`;
  const lanes =
    result.lanes.length === 0
      ? 'none'
      : result.lanes.map((lane) => (result.strictLanes.includes(lane) ? `${lane} (strict)` : lane)).join(', ');
  return [
    comment(
      'Gateway API HTTPRoutes (gateway.networking.k8s.io/v1) for the Yardmaster lane route table, written by `yardmaster lanes export --format gateway-api`. Do not edit: export again.',
    ),
    '#\n',
    comment(`Services: ${result.services.length === 0 ? 'none' : result.services.join(', ')}. Lanes: ${lanes}.`),
    comment(
      `Layout: one HTTPRoute per service, yardmaster-<service> (past ${MAX_RULES_PER_ROUTE} rules it goes on in yardmaster-<service>-2, -3 ...), addressed ${addressed}. Its rules: one per lane that has the service, matching the header ${LANE_HEADER} exactly; one per strict lane that lacks it (503); last the baseline rule, with no header match.`,
    ),
    comment(
      `Backends: the Service named by --backend-name ${options.backendName} (values in lower case, . and _ as -) in the routes' namespace, on the port of the instance's endpoint; only instances that were up.`,
    ),
    '#\n',
    '# What these routes cannot do as the lane router does (docs/lanes.md, "Data planes"):\n',
    ...result.notes.map((note) => comment(note.long, '# - ', '#   ')),
  ].join('');
}

/** The export's text: comments, then the objects as YAML documents. */
export function renderGatewayApiYaml(result: GatewayApiExport, options: GatewayApiOptions): string {
  const objects = [...(result.unavailable === undefined ? [] : [result.unavailable]), ...result.routes];
  const documents = objects.map(
    (object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`,
  );
  return `${header(result, options)}${documents.join('')}`;
}

/** One line for stderr: what was written and what it cannot do (the output's comments say it in full). */
export function gatewayApiSummary(result: GatewayApiExport, where: string): string {
  const routes = `${result.routes.length} HTTPRoute${result.routes.length === 1 ? '' : 's'}`;
  const service = result.unavailable === undefined ? '' : ` and the Service ${result.unavailable.metadata.name}`;
  return `lanes export: ${routes}${service} for ${result.services.length} service${result.services.length === 1 ? '' : 's'} and ${result.lanes.length} lane${result.lanes.length === 1 ? '' : 's'} written to ${where}; differs from the lane router in: ${result.notes.map((note) => note.short).join('; ')} (see the comments at the top)\n`;
}
