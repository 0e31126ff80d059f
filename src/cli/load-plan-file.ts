/** Reads a plan from a YAML file, or from a Markdown file holding a plan block (as in a work order comment). */
import { readFile } from 'node:fs/promises';
import { formatIssues, parsePlan } from '../plan/index.ts';
import type { Plan } from '../plan/types.ts';

export type LoadedPlan = { ok: true; plan: Plan; text: string } | { ok: false; message: string };

export async function loadPlanFile(path: string): Promise<LoadedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return { ok: false, message: `${path}: cannot read the plan (${code})` };
  }
  if (/^\s*(```|~~~)/m.test(text)) {
    // Markdown: its parser loads only here, not for a YAML file (it costs the CLI's start-up tens of ms).
    const { parsePlanFromComment } = await import('../plan/markdown.ts');
    const fromComment = parsePlanFromComment(text);
    if (fromComment.ok) return { ok: true, plan: fromComment.plan, text };
    if (fromComment.reason === 'invalid')
      return { ok: false, message: prefixed(path, formatIssues(fromComment.issues)) };
    if (fromComment.reason !== 'no-plan') return { ok: false, message: `${path}: ${fromComment.message}` };
    return {
      ok: false,
      message: `${path}: no plan found (a \`\`\`yardmaster block, or a \`\`\`yaml block starting with app:)`,
    };
  }
  const parsed = parsePlan(text);
  return parsed.ok
    ? { ok: true, plan: parsed.value, text }
    : { ok: false, message: prefixed(path, formatIssues(parsed.issues)) };
}

function prefixed(path: string, lines: string): string {
  return lines
    .split('\n')
    .map((line) => `${path}: ${line}`)
    .join('\n');
}
