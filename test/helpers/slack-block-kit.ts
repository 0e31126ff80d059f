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
  if (!types.includes(String(value.type)))
    problems.push(`${where}.type: ${String(value.type)} is not ${types.join(' or ')}`);
  const content = value.text;
  if (typeof content !== 'string' || content.length === 0) problems.push(`${where}.text: empty`);
  else if (content.length > limit) problems.push(`${where}.text: ${content.length} characters, more than ${limit}`);
}

function button(problems: Problems, where: string, element: Record<string, unknown>, actionIds: Set<string>): void {
  const id = element.action_id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 255)
    problems.push(`${where}.action_id: missing or longer than 255`);
  else if (actionIds.has(id)) problems.push(`${where}.action_id: ${id} used twice`);
  else actionIds.add(id);
  text(problems, `${where}.text`, element.text, 75, true);
  const value = element.value;
  if (value !== undefined && (typeof value !== 'string' || value.length > 2000))
    problems.push(`${where}.value: not a string of at most 2000`);
  const style = element.style;
  if (style !== undefined && style !== 'primary' && style !== 'danger')
    problems.push(`${where}.style: ${typeof style === 'string' ? style : JSON.stringify(style)}`);
}

function block(problems: Problems, where: string, value: unknown, actionIds: Set<string>): void {
  if (!isRecord(value)) {
    problems.push(`${where}: not an object`);
    return;
  }
  const blockId = value.block_id;
  if (blockId !== undefined && (typeof blockId !== 'string' || blockId.length > 255))
    problems.push(`${where}.block_id: longer than 255`);
  switch (value.type) {
    case 'header':
      text(problems, `${where}.text`, value.text, 150, true);
      return;
    case 'section': {
      if (value.text === undefined && value.fields === undefined) problems.push(`${where}: needs text or fields`);
      if (value.text !== undefined) text(problems, `${where}.text`, value.text, 3000);
      const fields = value.fields;
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > 10) problems.push(`${where}.fields: at most 10`);
        else
          fields.forEach((field, index) => {
            text(problems, `${where}.fields[${index}]`, field, 2000);
          });
      }
      return;
    }
    case 'context': {
      const elements = value.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
        problems.push(`${where}.elements: 1 to 10`);
      else
        elements.forEach((element, index) => {
          text(problems, `${where}.elements[${index}]`, element, 3000);
        });
      return;
    }
    case 'divider':
      return;
    case 'input': {
      text(problems, `${where}.label`, value.label, 2000, true);
      const element = value.element;
      if (!isRecord(element) || element.type !== 'plain_text_input') {
        problems.push(`${where}.element: not a plain_text_input`);
        return;
      }
      const id = element.action_id;
      if (typeof id !== 'string' || id.length === 0 || id.length > 255)
        problems.push(`${where}.element.action_id: missing or longer than 255`);
      const max = element.max_length;
      if (max !== undefined && (typeof max !== 'number' || max < 1 || max > 3000))
        problems.push(`${where}.element.max_length: 1 to 3000`);
      return;
    }
    case 'actions': {
      const elements = value.elements;
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) {
        problems.push(`${where}.elements: 1 to 25`);
        return;
      }
      elements.forEach((element, index) => {
        if (!isRecord(element) || element.type !== 'button') problems.push(`${where}.elements[${index}]: not a button`);
        else button(problems, `${where}.elements[${index}]`, element, actionIds);
      });
      return;
    }
    default:
      problems.push(`${where}.type: ${String(value.type)} is not a block type Yardmaster uses`);
  }
}

function blockList(problems: Problems, blocks: unknown, limit: number): void {
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > limit)
    problems.push(`blocks: expected 1 to ${limit} blocks`);
  else {
    const actionIds = new Set<string>();
    blocks.forEach((entry, index) => {
      block(problems, `blocks[${index}]`, entry, actionIds);
    });
  }
}

/** Fails unless `blocks` is valid Block Kit for a message (input blocks belong in modals only). */
export function expectValidBlocks(blocks: unknown): void {
  const problems: Problems = [];
  blockList(problems, blocks, 50);
  if (Array.isArray(blocks) && blocks.some((entry) => isRecord(entry) && entry.type === 'input'))
    problems.push('blocks: input blocks are for modals');
  expect(problems).toEqual([]);
}

/** Fails unless `view` is a valid modal for `views.open`. */
export function expectValidModal(view: unknown): void {
  const problems: Problems = [];
  if (!isRecord(view) || view.type !== 'modal') {
    expect(['view: expected a modal']).toEqual([]);
    return;
  }
  for (const field of ['title', 'submit', 'close']) text(problems, `view.${field}`, view[field], 24, true);
  const callbackId = view.callback_id;
  if (typeof callbackId !== 'string' || callbackId.length === 0 || callbackId.length > 255)
    problems.push('view.callback_id: missing or longer than 255');
  const metadata = view.private_metadata;
  if (metadata !== undefined && (typeof metadata !== 'string' || metadata.length > 3000))
    problems.push('view.private_metadata: longer than 3000');
  blockList(problems, view.blocks, 100);
  expect(problems).toEqual([]);
}
