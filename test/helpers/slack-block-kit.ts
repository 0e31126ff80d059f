/**
 * Checks Block Kit as Slack does before it renders it (the parts Yardmaster uses): block and element types, text
 * object types and lengths, unique `action_id`s, button values and styles. Fails the test with every problem found.
 */
import { expect } from 'vitest';

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(problems: Problems, where: string, value: unknown, limit: number, plainOnly = false): void {
  if (!isRecord(value)) {
    problems.push(`${where}: expected a text object`);
    return;
  }
  const types = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!types.includes(String(value['type']))) problems.push(`${where}.type: ${String(value['type'])} is not ${types.join(' or ')}`);
  const content = value['text'];
  if (typeof content !== 'string' || content.length === 0) problems.push(`${where}.text: empty`);
  else if (content.length > limit) problems.push(`${where}.text: ${content.length} characters, more than ${limit}`);
}

function button(problems: Problems, where: string, element: Record<string, unknown>, actionIds: Set<string>): void {
  const id = element['action_id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > 255) problems.push(`${where}.action_id: missing or longer than 255`);
  else if (actionIds.has(id)) problems.push(`${where}.action_id: ${id} used twice`);
  else actionIds.add(id);
  text(problems, `${where}.text`, element['text'], 75, true);
  const value = element['value'];
  if (value !== undefined && (typeof value !== 'string' || value.length > 2000)) problems.push(`${where}.value: not a string of at most 2000`);
  const style = element['style'];
  if (style !== undefined && style !== 'primary' && style !== 'danger') problems.push(`${where}.style: ${String(style)}`);
}

function block(problems: Problems, where: string, value: unknown, actionIds: Set<string>): void {
  if (!isRecord(value)) {
    problems.push(`${where}: not an object`);
    return;
  }
  const blockId = value['block_id'];
  if (blockId !== undefined && (typeof blockId !== 'string' || blockId.length > 255)) problems.push(`${where}.block_id: longer than 255`);
  switch (value['type']) {
    case 'header':
      text(problems, `${where}.text`, value['text'], 150, true);
      return;
    case 'section': {
      if (value['text'] === undefined && value['fields'] === undefined) problems.push(`${where}: needs text or fields`);
      if (value['text'] !== undefined) text(problems, `${where}.text`, value['text'], 3000);
      const fields = value['fields'];
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > 10) problems.push(`${where}.fields: at most 10`);
        else fields.forEach((field, index) => text(problems, `${where}.fields[${index}]`, field, 2000));
      }
      return;
    }
    case 'context': {
      const elements = value['elements'];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) problems.push(`${where}.elements: 1 to 10`);
      else elements.forEach((element, index) => text(problems, `${where}.elements[${index}]`, element, 3000));
      return;
    }
    case 'divider':
      return;
    case 'actions': {
      const elements = value['elements'];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) {
        problems.push(`${where}.elements: 1 to 25`);
        return;
      }
      elements.forEach((element, index) => {
        if (!isRecord(element) || element['type'] !== 'button') problems.push(`${where}.elements[${index}]: not a button`);
        else button(problems, `${where}.elements[${index}]`, element, actionIds);
      });
      return;
    }
    default:
      problems.push(`${where}.type: ${String(value['type'])} is not a block type Yardmaster uses`);
  }
}

/** Fails unless `blocks` is valid Block Kit for a message. */
export function expectValidBlocks(blocks: unknown): void {
  const problems: Problems = [];
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) problems.push('blocks: expected 1 to 50 blocks');
  else {
    const actionIds = new Set<string>();
    blocks.forEach((entry, index) => block(problems, `blocks[${index}]`, entry, actionIds));
  }
  expect(problems).toEqual([]);
}
