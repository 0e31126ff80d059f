/**
 * What the Gateway API export cannot do as the lane router does, for one export: the same list goes into the
 * output's comments (in full) and onto stderr (in a word each). docs/lanes.md ("Data planes") says it at length.
 */
import { HOPS_HEADER, LANE_HEADER, ROUTE_HEADER } from './lane-key.ts';

/** What the export says it cannot do as the router does, in a word (stderr) and in full (the output's comments). */
export interface ExportNote {
  short: string;
  long: string;
}

/** What HTTPRoute cannot express of the router's behaviour, for this table and these options. */
export function exportNotes(
  options: { domain?: string; unavailableService: string },
  strictLanes: readonly string[],
  withoutBaseline: readonly string[],
): ExportNote[] {
  const notes: ExportNote[] = [
    {
      short: 'baggage-carried lanes',
      long: `A lane carried only in W3C baggage (baggage: yardmaster-lane=...) is not matched: an HTTPRoute header match compares the whole header value, not one member of a list. Such requests go to the baseline, and the lane is not added as ${LANE_HEADER} for the next hop. Send ${LANE_HEADER}.`,
    },
    {
      short: 'repeated lane headers',
      long: `A request with ${LANE_HEADER} more than once: how the gateway matches a repeated header is implementation-specific (the router joins them, finds no lane and uses the baseline).`,
    },
    {
      short: 'the hop guard (508)',
      long: `The hop guard: ${HOPS_HEADER} is neither counted nor checked, so a call loop is not stopped with a 508.`,
    },
  ];
  if (strictLanes.length > 0 || withoutBaseline.length > 0) {
    const who = [
      ...(strictLanes.length > 0 ? [`strict lanes (${strictLanes.join(', ')}) for the services they lack`] : []),
      ...(withoutBaseline.length > 0 ? [`services without a baseline (${withoutBaseline.join(', ')})`] : []),
    ].join(' and ');
    notes.push({
      short: `the 503 of ${strictLanes.length > 0 ? 'strict lanes' : 'services without a baseline'} only through the Service ${options.unavailableService} (no endpoints)`,
      long: `HTTPRoute has no rule that answers a status by itself: the 503 of ${who} comes from rules sending them to the Service ${options.unavailableService}, which has no selector and so no endpoints. The Gateway API says a gateway SHOULD answer 503 for a backend without ready endpoints; one that does not answers 500. Apply that Service too (it is in this output), and give it no endpoints.`,
    });
  }
  notes.push({
    short: 'answers of the gateway itself',
    long: `The gateway's own answers (the 503s above; 404 for a service with no HTTPRoute, where the router answers 503; its errors reaching an instance) carry no ${ROUTE_HEADER} and have the gateway's wording.`,
  });
  if (options.domain === undefined)
    notes.push({
      short: 'path addressing in lower case only',
      long: 'Services are addressed by path /<service>, in lower case only (HTTPRoute path matches are case-sensitive; the router accepts any case), and the prefix is removed with URLRewrite; not by host name (export with --domain for that).',
    });
  else
    notes.push({
      short: 'host-name addressing only',
      long: `Services are addressed by host name <service>.${options.domain} only, not by path /<service> (the router takes both).`,
    });
  notes.push({
    short: 'Extended filters',
    long: `${ROUTE_HEADER} is set by a ResponseHeaderModifier filter${options.domain === undefined ? ' and the path prefix removed by URLRewrite: both are' : ', which is'} Extended support in the Gateway API; a gateway without ${options.domain === undefined ? 'them' : 'it'} refuses those rules.`,
  });
  notes.push({
    short: 'no live updates',
    long: 'These routes are the table when it was exported (lanes then active, instances then up): export and apply again after every lane change, and delete the routes labelled app.kubernetes.io/managed-by=yardmaster that a new export no longer has.',
  });
  return notes;
}
