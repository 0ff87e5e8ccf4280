import type { ActionData, EvidenceEvent } from '@ringmaster/evidence';
import type { KnownBlock, ModalView } from '@slack/types';
import { actionLine } from './actions/action-line.js';
import { actionId, buttonValue } from './button.js';
import { bold, clipText, escapeText, inlineCode, joinText, mrkdwn, userMention, when, type SlackText } from './slack-text.js';
import type { RunState, StepState } from './state.js';
import { requiredRole, SYSTEM_ACTOR } from './state.js';

/** Slack's documented Block Kit limits that a checklist can hit. */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  actionsElements: 25,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  contextElements: 10,
  messageText: 40_000,
} as const;

/** Text objects: their text is always `SlackText` (escaped user text, the bot's own markup). */
export interface PlainText {
  type: 'plain_text';
  text: SlackText;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: SlackText;
}

export type TextObject = PlainText | Mrkdwn;

export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
}

export interface PlainTextInput {
  type: 'plain_text_input';
  action_id: string;
  multiline?: boolean;
  max_length?: number;
  placeholder?: PlainText;
}

/** The Block Kit blocks the app sends. */
export type Block =
  | { type: 'header'; block_id: string; text: PlainText }
  | { type: 'section'; block_id: string; text: TextObject }
  | { type: 'context'; block_id: string; elements: TextObject[] }
  | { type: 'actions'; block_id: string; elements: Button[] }
  | { type: 'input'; block_id: string; label: PlainText; element: PlainTextInput };

/** A modal view (the plan form). */
export interface Modal {
  type: 'modal';
  callback_id: string;
  title: PlainText;
  submit: PlainText;
  close: PlainText;
  private_metadata: string;
  blocks: Block[];
}

// Slack's own SDK models accept every block and view the app builds (checked when compiling).
type Conforms<T extends U, U> = T;
export type BlocksConform = Conforms<Block, KnownBlock>;
export type ModalConforms = Conforms<Modal, ModalView>;

type LooseBlock = Record<string, unknown>;

/**
 * Every limit a payload breaks (empty when it is fine). The app checks each
 * payload before sending it; the tests check every payload the fake Slack receives.
 */
export function checkBlockKitLimits(blocks: unknown, surface: 'message' | 'modal' = 'message'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const max = surface === 'modal' ? LIMITS.modalBlocks : LIMITS.messageBlocks;
  if (blocks.length > max) problems.push(`${blocks.length} blocks, more than ${max}`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  const text = (t: unknown, where: string, limit: number): void => {
    const obj = t as { text?: unknown } | undefined;
    if (!obj || typeof obj.text !== 'string') problems.push(`${where}: missing text`);
    else if (obj.text.length > limit) problems.push(`${where}: text ${obj.text.length} chars, more than ${limit}`);
    else if (obj.text.length === 0) problems.push(`${where}: empty text`);
  };
  const element = (el: Record<string, unknown>, where: string): void => {
    const id = el['action_id'];
    if (typeof id === 'string') {
      if (id.length > LIMITS.actionId) problems.push(`${where}: action_id longer than ${LIMITS.actionId}`);
      if (actionIds.has(id)) problems.push(`${where}: duplicate action_id ${id}`);
      actionIds.add(id);
    }
    if (el['type'] === 'button') {
      text(el['text'], `${where} button`, LIMITS.buttonText);
      const value = el['value'];
      if (typeof value === 'string' && value.length > LIMITS.buttonValue) problems.push(`${where}: button value longer than ${LIMITS.buttonValue}`);
    }
  };
  blocks.forEach((raw, i) => {
    const b = raw as LooseBlock;
    const where = `blocks[${i}] (${String(b['type'])})`;
    const id = b['block_id'];
    if (typeof id === 'string') {
      if (id.length > LIMITS.blockId) problems.push(`${where}: block_id longer than ${LIMITS.blockId}`);
      if (blockIds.has(id)) problems.push(`${where}: duplicate block_id ${id}`);
      blockIds.add(id);
    }
    switch (b['type']) {
      case 'header':
        text(b['text'], where, LIMITS.headerText);
        break;
      case 'section': {
        if (b['text'] !== undefined) text(b['text'], where, LIMITS.sectionText);
        const fields = b['fields'] as unknown[] | undefined;
        if (fields) {
          if (fields.length > LIMITS.sectionFields) problems.push(`${where}: ${fields.length} fields, more than ${LIMITS.sectionFields}`);
          fields.forEach((f, j) => text(f, `${where} field ${j}`, LIMITS.fieldText));
        }
        if (b['text'] === undefined && !fields) problems.push(`${where}: needs text or fields`);
        if (b['accessory']) element(b['accessory'] as Record<string, unknown>, where);
        break;
      }
      case 'actions': {
        const els = (b['elements'] as Record<string, unknown>[] | undefined) ?? [];
        if (els.length === 0) problems.push(`${where}: no elements`);
        if (els.length > LIMITS.actionsElements) problems.push(`${where}: ${els.length} elements, more than ${LIMITS.actionsElements}`);
        els.forEach((el, j) => element(el, `${where} element ${j}`));
        break;
      }
      case 'context': {
        const els = (b['elements'] as unknown[] | undefined) ?? [];
        if (els.length === 0 || els.length > LIMITS.contextElements) problems.push(`${where}: ${els.length} elements (1..${LIMITS.contextElements})`);
        els.forEach((el, j) => text(el, `${where} element ${j}`, LIMITS.sectionText));
        break;
      }
      case 'input':
        text(b['label'], `${where} label`, 2000);
        if (b['element']) element(b['element'] as Record<string, unknown>, where);
        break;
      case 'divider':
        break;
      default:
        problems.push(`${where}: unexpected block type`);
    }
  });
  return problems;
}

export function assertBlockKitLimits(blocks: unknown, surface: 'message' | 'modal' = 'message'): void {
  const problems = checkBlockKitLimits(blocks, surface);
  if (problems.length) throw new Error(`Block Kit limits: ${problems.join('; ')}`);
}

function plain(text: SlackText, max: number): PlainText {
  return { type: 'plain_text', text: clipText(text, max), emoji: true };
}

function md(text: SlackText, max: number = LIMITS.sectionText): Mrkdwn {
  return { type: 'mrkdwn', text: clipText(text, max) };
}

const ICON: Record<StepState['status'], string> = { done: ':white_check_mark:', waiting: ':hourglass_flowing_sand:', open: ':white_large_square:', locked: ':lock:' };

function button(text: SlackText, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plain(text, LIMITS.buttonText), action_id: actionId, value, ...(style ? { style } : {}) };
}


function stepBlocks(state: RunState, s: StepState): Block[] {
  const step = s.step;
  const role = requiredRole(step);
  const tags = joinText(
    [role ? escapeText(`_${role.replace(/_/g, ' ')}_`) : undefined, step.kind === 'wait' && step.waitMinutes ? mrkdwn`_bake ${step.waitMinutes} min_` : undefined].filter(
      (t): t is SlackText => t !== undefined,
    ),
    ' · ',
  );
  let status = mrkdwn``;
  if (s.status === 'done') {
    const option = s.choice ? step.options?.find((o) => o.id === s.choice)?.label : undefined;
    status = mrkdwn`\n${option ? mrkdwn`chose ${bold(option)} · ` : mrkdwn``}${s.by ? mrkdwn`${userMention(s.by)} · ` : mrkdwn``}${s.at ? when(s.at) : mrkdwn``}`;
  } else if (s.status === 'waiting') status = mrkdwn`\nbaking until ${when(s.until ?? '')}`;
  const detail = step.detail ? mrkdwn`\n${escapeText(step.detail)}` : mrkdwn``;
  const head = mrkdwn`${escapeText(ICON[s.status])} ${bold(step.title)}${tags ? mrkdwn`  ${tags}` : mrkdwn``}`;
  const blocks: Block[] = [{ type: 'section', block_id: `s.${s.index}`, text: md(mrkdwn`${head}${status}${detail}`) }];
  if (state.closed || s.status !== 'open') return blocks;
  const buttons: Button[] = [];
  switch (step.kind) {
    case 'task':
      buttons.push(button(mrkdwn`Done`, actionId('complete', s.index), buttonValue(state.runId, step.id, 'complete'), 'primary'));
      break;
    case 'approval':
      buttons.push(button(mrkdwn`Approve`, actionId('approve', s.index), buttonValue(state.runId, step.id, 'approve'), 'primary'));
      break;
    case 'wait':
      buttons.push(button(mrkdwn`Start bake (${step.waitMinutes ?? 0} min)`, actionId('start_wait', s.index), buttonValue(state.runId, step.id, 'start_wait')));
      break;
    case 'choice':
      (step.options ?? []).forEach((o, j) => buttons.push(button(escapeText(o.label), actionId('choose', s.index, j), buttonValue(state.runId, step.id, 'choose', o.id))));
      break;
  }
  for (let i = 0; i < buttons.length; i += LIMITS.actionsElements) {
    blocks.push({ type: 'actions', block_id: `a.${s.index}.${i / LIMITS.actionsElements}`, elements: buttons.slice(i, i + LIMITS.actionsElements) });
  }
  return blocks;
}

/** Blocks the root message keeps for its header, progress, page navigation and footer. */
const FRAME_BLOCKS = 4;

/** Visible steps split into pages that each fit in one message. */
export function paginate(state: RunState, budget = LIMITS.messageBlocks - FRAME_BLOCKS): StepState[][] {
  const pages: StepState[][] = [[]];
  let used = 0;
  for (const s of state.visible) {
    const n = stepBlocks(state, s).length;
    if (used + n > budget && pages[pages.length - 1]!.length) {
      pages.push([]);
      used = 0;
    }
    pages[pages.length - 1]!.push(s);
    used += n;
  }
  return pages;
}

/** The page holding the first step still to do (the last page when all are done). */
export function activePage(state: RunState): number {
  const pages = paginate(state);
  const i = pages.findIndex((p) => p.some((s) => s.status !== 'done'));
  return i === -1 ? pages.length - 1 : i;
}

export interface Message {
  text: SlackText;
  blocks: Block[];
}

/** The run's root message, updated in place as steps change. */
export function runMessage(state: RunState, page?: number): Message {
  const pages = paginate(state);
  const p = Math.min(Math.max(page ?? activePage(state), 0), pages.length - 1);
  const progress = mrkdwn`${state.doneCount}/${state.visible.length} steps done`;
  const status = state.closed ? mrkdwn`closed` : mrkdwn`open`;
  const blocks: Block[] = [
    { type: 'header', block_id: 'h', text: plain(escapeText(state.title), LIMITS.headerText) },
    {
      type: 'context',
      block_id: 'c',
      elements: [md(mrkdwn`Run ${inlineCode(state.runId)} · ${escapeText(state.kind)} · requested by ${userMention(state.requestedBy)} · *${progress}* · ${status}`)],
    },
  ];
  for (const s of pages[p] ?? []) blocks.push(...stepBlocks(state, s));
  if (pages.length > 1) {
    const nav: Button[] = [];
    if (p > 0) nav.push(button(mrkdwn`◀ Page ${p}`, actionId('page', 'prev'), buttonValue(state.runId, '', 'page', String(p - 1))));
    if (p < pages.length - 1) nav.push(button(mrkdwn`Page ${p + 2} ▶`, actionId('page', 'next'), buttonValue(state.runId, '', 'page', String(p + 1))));
    blocks.push({ type: 'context', block_id: 'pg', elements: [md(mrkdwn`page ${p + 1} of ${pages.length}`)] });
    if (nav.length) blocks.push({ type: 'actions', block_id: 'nav', elements: nav });
  }
  return { text: clipText(mrkdwn`${escapeText(state.title)}: ${progress} (${status})`, LIMITS.messageText), blocks };
}

/** A thread reminder with a snooze button. */
export function reminderMessage(state: RunState, snoozeMinutes: number): Message {
  const next = state.visible.find((s) => s.status === 'open' || s.status === 'locked');
  const text = mrkdwn`:bell: Run ${inlineCode(state.runId)} has had no action since ${when(state.lastAt)}.${next ? mrkdwn` Next: ${bold(next.step.title)}.` : mrkdwn``}`;
  return {
    text: clipText(text, LIMITS.messageText),
    blocks: [
      { type: 'section', block_id: 'r', text: md(text) },
      { type: 'actions', block_id: 'ra', elements: [button(mrkdwn`Snooze ${snoozeMinutes} min`, actionId('snooze'), buttonValue(state.runId, '', 'snooze'))] },
    ],
  };
}

/** One thread line per event: who, what, when (UTC and the reader's local time). */
export function eventLine(e: EvidenceEvent, state: RunState): SlackText {
  const step = state.checklist.steps.find((s) => s.id === e.step);
  const title = step ? bold(step.title) : mrkdwn``;
  const who = e.actor === SYSTEM_ACTOR ? mrkdwn`Ringmaster` : userMention(e.actor);
  const line = ((): SlackText => {
    switch (e.type) {
      case 'run.opened':
        return mrkdwn`:rocket: ${who} opened run ${inlineCode(e.run_id)} · ${when(e.at)}`;
      case 'step.completed':
        return mrkdwn`:white_check_mark: ${who} completed ${title} · ${when(e.at)}`;
      case 'step.approved':
        return mrkdwn`:shield: ${who} approved ${title} · ${when(e.at)}`;
      case 'choice.made': {
        const option = step?.options?.find((o) => o.id === e.data?.['option']);
        return mrkdwn`:twisted_rightwards_arrows: ${who} chose ${bold(option?.label ?? String(e.data?.['option']))} at ${title} · ${when(e.at)}`;
      }
      case 'wait.started':
        return mrkdwn`:hourglass_flowing_sand: ${who} started the bake at ${title}; it ends ${when(String(e.data?.['until']))}`;
      case 'wait.elapsed':
        return mrkdwn`:bell: Bake time over at ${title} · ${when(e.at)} · ${userMention(state.requestedBy)} the next step is open.`;
      case 'reminder.snoozed':
        return mrkdwn`:zzz: ${who} snoozed reminders until ${when(String(e.data?.['until']))}`;
      case 'action.performed':
        return actionLine(who, title, e.data as unknown as ActionData);
      case 'run.closed':
        return mrkdwn`:checkered_flag: Run ${inlineCode(e.run_id)} closed · ${when(e.at)} · ${e.seq + 1} events, head hash ${inlineCode(e.hash)}`;
    }
  })();
  return clipText(line, LIMITS.sectionText);
}
