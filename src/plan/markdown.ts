/**
 * Plans inside Markdown comments (issue bodies, PR comments): the part of src/plan that needs the Markdown parser
 * (micromark, some 80 modules). A public module beside index.ts, so that importing index.ts does not load the parser:
 * the CLI reads a `.yml` plan without it and imports this module only for a Markdown file.
 */
export { findPlanBlocks, topLevelFences } from './extract-plan.ts';
export { parsePlanFromComment } from './parse-plan-from-comment.ts';
