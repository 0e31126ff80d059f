/**
 * The `yardmaster / config` check run's result for a change of `.github/yardmaster.yml`: failure with every problem
 * as an annotation at its line, or success with what the change does against the config it replaces (apps,
 * environments, hosts, roles, approvals, freeze windows, notifications), or a notice when the file is removed. Pure.
 */
import { diffConfigs, formatConfigChangesMarkdown, parseRepoConfig } from '../config/index.ts';
import type { RepoConfig } from '../config/types.ts';
import { clipText } from '../deploy/index.ts';
import { formatIssue } from '../plan/index.ts';
import type { SourceIssue } from '../plan/types.ts';
import type { ConfigAtRef } from './config-at-ref.ts';
import { MAX_CONFIG_BYTES } from './config-at-ref.ts';
import { inlineCode } from './markdown.ts';
import type { CheckRunAnnotation } from './octokit-slice.ts';
import { REPO_CONFIG_PATH } from './repo-config.ts';

/** The config a change is compared with, and how the summary names it ("the default branch (main)"). */
export type BaseConfig =
  | { kind: 'config'; config: RepoConfig; label: string }
  | { kind: 'none'; label: string }
  | { kind: 'invalid'; label: string };

export interface ConfigCheckOutput {
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  annotations: CheckRunAnnotation[];
}

export interface ConfigCheck {
  output: ConfigCheckOutput;
  /** The changed config when it is valid. */
  config: RepoConfig | undefined;
}

/** Annotations sent at most: ten requests of GitHub's 50; more problems are counted in the summary. */
export const MAX_ANNOTATIONS = 500;
// GitHub refuses a summary above 65535 characters and an annotation message above 64 KiB.
const MAX_SUMMARY = 60_000;
const MAX_MESSAGE = 4_000;
const LISTED_PROBLEMS = 200;

function annotationOf(issue: SourceIssue): CheckRunAnnotation {
  // A problem without a position (line 0) is about the whole file: its first line carries it.
  const line = Math.max(1, issue.line);
  return {
    path: REPO_CONFIG_PATH,
    start_line: line,
    end_line: line,
    annotation_level: 'failure',
    title: clipText(issue.path === '' ? 'config' : issue.path, 200),
    message: clipText(issue.message, MAX_MESSAGE),
  };
}

function problemsSummary(issues: readonly SourceIssue[]): string {
  const listed = issues.slice(0, LISTED_PROBLEMS).map((issue) => `- ${inlineCode(formatIssue(issue))}`);
  const more = issues.length > LISTED_PROBLEMS ? [`- … and ${issues.length - LISTED_PROBLEMS} more`] : [];
  const unannotated =
    issues.length > MAX_ANNOTATIONS
      ? [``, `The first ${MAX_ANNOTATIONS} are annotated at their lines.`]
      : [``, `Each is annotated at its line of ${inlineCode(REPO_CONFIG_PATH)}.`];
  return [
    `${inlineCode(REPO_CONFIG_PATH)} is not a valid Yardmaster config; on the default branch, work orders would be refused until it is fixed.`,
    '',
    ...listed,
    ...more,
    ...unannotated,
  ].join('\n');
}

function changesSummary(config: RepoConfig, base: BaseConfig): { title: string; summary: string } {
  const changes = diffConfigs(base.kind === 'config' ? base.config : null, config);
  const against =
    base.kind === 'config'
      ? `Against the config on ${base.label}:`
      : base.kind === 'none'
        ? `${base.label} has no config: everything is new.`
        : `The config on ${base.label} is not valid: everything is listed as new.`;
  const list =
    changes.length === 0
      ? 'No effect: apps, environments, hosts, roles and notifications stay as they are.'
      : formatConfigChangesMarkdown(changes);
  return {
    title: changes.length === 0 ? 'Valid config, no effect' : `Valid config: ${changes.length} change(s)`,
    summary: `${against}\n\n${list}`,
  };
}

/** The check run's conclusion, title, summary and annotations for the config `head` compared with `base`. */
export function configCheck(head: ConfigAtRef, base: BaseConfig): ConfigCheck {
  const output = (conclusion: ConfigCheckOutput['conclusion'], title: string, summary: string) => ({
    conclusion,
    title,
    summary: clipText(summary, MAX_SUMMARY),
    annotations: [],
  });
  switch (head.kind) {
    case 'missing':
      return {
        config: undefined,
        output: output(
          'neutral',
          'Config removed',
          `This change removes ${inlineCode(REPO_CONFIG_PATH)}. Once it is on the default branch, Yardmaster knows no apps or environments of this repository and refuses work orders until a config is back.`,
        ),
      };
    case 'not-a-file':
      return {
        config: undefined,
        output: output('failure', 'Config is not a file', `${inlineCode(REPO_CONFIG_PATH)} must be a file.`),
      };
    case 'too-large':
      return {
        config: undefined,
        output: output(
          'failure',
          'Config too large',
          `${inlineCode(REPO_CONFIG_PATH)} has ${head.bytes} bytes; Yardmaster reads at most ${MAX_CONFIG_BYTES}.`,
        ),
      };
    case 'file': {
      const parsed = parseRepoConfig(head.text);
      if (!parsed.ok) {
        const count = parsed.issues.length;
        return {
          config: undefined,
          output: {
            ...output(
              'failure',
              `${count} problem${count === 1 ? '' : 's'} in the config`,
              problemsSummary(parsed.issues),
            ),
            annotations: parsed.issues.slice(0, MAX_ANNOTATIONS).map(annotationOf),
          },
        };
      }
      const { title, summary } = changesSummary(parsed.value, base);
      return { config: parsed.value, output: output('success', title, summary) };
    }
  }
}
