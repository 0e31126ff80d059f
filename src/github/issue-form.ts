/**
 * The work-order issue form (docs/examples/work-order.yml) as GitHub renders it into the issue body:
 * `### <label>\n\n<value>` per field, `_No response_` for an empty optional field.
 */
import type { WorkOrderForm } from '../workorders/service/index.ts';

const NO_RESPONSE = '_No response_';

/** `### Heading` sections of a body, heading (lowercased, trimmed) → value (trimmed). */
export function formSections(body: string): Map<string, string> {
  const sections = new Map<string, string>();
  let heading: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (heading !== undefined) sections.set(heading, lines.join('\n').trim());
  };
  for (const line of body.split(/\r?\n/)) {
    const match = /^###\s+(.+?)\s*$/.exec(line);
    if (match?.[1] !== undefined) {
      flush();
      heading = match[1].toLowerCase();
      lines = [];
    } else {
      lines.push(line);
    }
  }
  flush();
  return sections;
}

function valueOf(sections: Map<string, string>, ...labels: string[]): string | undefined {
  for (const label of labels) {
    const value = sections.get(label);
    if (value !== undefined && value !== '' && value !== NO_RESPONSE) return value;
  }
  return undefined;
}

function login(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/.exec(value);
  return match?.[1];
}

/** A form field that holds no readable value, for the reply. */
export interface FormProblem {
  field: string;
  message: string;
}

/** The fields of the form; a scheduled time that is no date is left out and reported. */
export function parseWorkOrderForm(body: string): { form: WorkOrderForm; problems: FormProblem[] } {
  const sections = formSections(body);
  const form: WorkOrderForm = {};
  const problems: FormProblem[] = [];
  const requirement = valueOf(sections, 'requirement');
  if (requirement !== undefined) form.requirement = requirement;
  const scheduled = valueOf(sections, 'scheduled time', 'schedule');
  if (scheduled !== undefined) {
    const at = new Date(scheduled);
    if (Number.isNaN(at.getTime()) || !/\d{4}-\d{2}-\d{2}/.test(scheduled)) {
      problems.push({
        field: 'Scheduled time',
        message: `"${scheduled}" is not a date and time like 2026-11-24T02:00:00Z`,
      });
    } else {
      form.scheduledAt = at;
    }
  }
  const planAuthor = login(valueOf(sections, 'plan author'));
  if (planAuthor !== undefined) form.planAuthor = planAuthor;
  const deployer = login(valueOf(sections, 'deployer'));
  if (deployer !== undefined) form.deployer = deployer;
  const acceptor = login(valueOf(sections, 'result acceptor', 'acceptor'));
  if (acceptor !== undefined) form.acceptor = acceptor;
  return { form, problems };
}
