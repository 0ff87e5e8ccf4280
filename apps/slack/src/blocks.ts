import type { EvidenceEvent } from '@ringmaster/evidence';
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

export type Block = Record<string, unknown>;
type TextObject = { type: 'plain_text' | 'mrkdwn'; text: string; emoji?: boolean };

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
    const obj = t as Partial<TextObject> | undefined;
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
    const b = raw as Block;
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

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `2026-11-24 10:03:12 UTC` plus Slack's date token, which shows the reader's local time. */
export function when(iso: string): string {
  const unix = Math.floor(Date.parse(iso) / 1000);
  const utc = `${iso.slice(0, 19).replace('T', ' ')} UTC`;
  return `${utc} (<!date^${unix}^{date_short} {time}|${utc}> your time)`;
}

const ICON: Record<StepState['status'], string> = { done: ':white_check_mark:', waiting: ':hourglass_flowing_sand:', open: ':white_large_square:', locked: ':lock:' };

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Block {
  return { type: 'button', text: { type: 'plain_text', text: clip(text, LIMITS.buttonText), emoji: true }, action_id: actionId, value, ...(style ? { style } : {}) };
}

/** Button value: `run|step|op|option`; the clicking user always comes from the signed payload, never from here. */
export function actionValue(runId: string, step: string, op: string, option = ''): string {
  return [runId, step, op, option].join('|');
}

function stepBlocks(state: RunState, s: StepState): Block[] {
  const step = s.step;
  const role = requiredRole(step);
  const tags = [role ? `_${role.replace(/_/g, ' ')}_` : '', step.kind === 'wait' && step.waitMinutes ? `_bake ${step.waitMinutes} min_` : ''].filter(Boolean).join(' · ');
  let status = '';
  if (s.status === 'done') {
    const option = s.choice ? step.options?.find((o) => o.id === s.choice)?.label : undefined;
    status = `\n${option ? `chose *${esc(option)}* · ` : ''}${s.by ? `<@${s.by}> · ` : ''}${s.at ? when(s.at) : ''}`;
  } else if (s.status === 'waiting') status = `\nbaking until ${when(s.until ?? '')}`;
  const detail = step.detail ? `\n${esc(step.detail)}` : '';
  const head = `${ICON[s.status]} *${esc(step.title)}*${tags ? `  ${tags}` : ''}`;
  const blocks: Block[] = [
    { type: 'section', block_id: clip(`s.${s.index}`, LIMITS.blockId), text: { type: 'mrkdwn', text: clip(`${head}${status}${detail}`, LIMITS.sectionText) } },
  ];
  if (state.closed || s.status !== 'open') return blocks;
  const buttons: Block[] = [];
  switch (step.kind) {
    case 'task':
      buttons.push(button('Done', `rm.complete.${s.index}`, actionValue(state.runId, step.id, 'complete'), 'primary'));
      break;
    case 'approval':
      buttons.push(button('Approve', `rm.approve.${s.index}`, actionValue(state.runId, step.id, 'approve'), 'primary'));
      break;
    case 'wait':
      buttons.push(button(`Start bake (${step.waitMinutes ?? 0} min)`, `rm.start_wait.${s.index}`, actionValue(state.runId, step.id, 'start_wait')));
      break;
    case 'choice':
      (step.options ?? []).forEach((o, j) => buttons.push(button(o.label, `rm.choose.${s.index}.${j}`, actionValue(state.runId, step.id, 'choose', o.id))));
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
  text: string;
  blocks: Block[];
}

/** The run's root message, updated in place as steps change. */
export function runMessage(state: RunState, page?: number): Message {
  const pages = paginate(state);
  const p = Math.min(Math.max(page ?? activePage(state), 0), pages.length - 1);
  const progress = `${state.doneCount}/${state.visible.length} steps done`;
  const status = state.closed ? 'closed' : 'open';
  const blocks: Block[] = [
    { type: 'header', block_id: 'h', text: { type: 'plain_text', text: clip(state.title, LIMITS.headerText), emoji: true } },
    {
      type: 'context',
      block_id: 'c',
      elements: [{ type: 'mrkdwn', text: clip(`Run \`${state.runId}\` · ${state.kind} · requested by <@${state.requestedBy}> · *${progress}* · ${status}`, LIMITS.sectionText) }],
    },
  ];
  for (const s of pages[p] ?? []) blocks.push(...stepBlocks(state, s));
  if (pages.length > 1) {
    const nav: Block[] = [];
    if (p > 0) nav.push(button(`◀ Page ${p}`, 'rm.page.prev', actionValue(state.runId, '', 'page', String(p - 1))));
    if (p < pages.length - 1) nav.push(button(`Page ${p + 2} ▶`, 'rm.page.next', actionValue(state.runId, '', 'page', String(p + 1))));
    blocks.push({ type: 'context', block_id: 'pg', elements: [{ type: 'mrkdwn', text: `page ${p + 1} of ${pages.length}` }] });
    if (nav.length) blocks.push({ type: 'actions', block_id: 'nav', elements: nav });
  }
  return { text: clip(`${state.title}: ${progress} (${status})`, LIMITS.messageText), blocks };
}

/** A thread reminder with a snooze button. */
export function reminderMessage(state: RunState, snoozeMinutes: number): Message {
  const next = state.visible.find((s) => s.status === 'open' || s.status === 'locked');
  const text = `:bell: Run \`${state.runId}\` has had no action since ${when(state.lastAt)}.${next ? ` Next: *${esc(next.step.title)}*.` : ''}`;
  return {
    text: clip(text, LIMITS.messageText),
    blocks: [
      { type: 'section', block_id: 'r', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } },
      { type: 'actions', block_id: 'ra', elements: [button(`Snooze ${snoozeMinutes} min`, 'rm.snooze', actionValue(state.runId, '', 'snooze'))] },
    ],
  };
}

/** One thread line per event: who, what, when (UTC and the reader's local time). */
export function eventLine(e: EvidenceEvent, state: RunState): string {
  const step = state.checklist.steps.find((s) => s.id === e.step);
  const title = step ? `*${esc(step.title)}*` : '';
  const who = e.actor === SYSTEM_ACTOR ? 'Ringmaster' : `<@${e.actor}>`;
  switch (e.type) {
    case 'run.opened':
      return `:rocket: ${who} opened run \`${e.run_id}\` · ${when(e.at)}`;
    case 'step.completed':
      return `:white_check_mark: ${who} completed ${title} · ${when(e.at)}`;
    case 'step.approved':
      return `:shield: ${who} approved ${title} · ${when(e.at)}`;
    case 'choice.made': {
      const option = step?.options?.find((o) => o.id === e.data?.['option']);
      return `:twisted_rightwards_arrows: ${who} chose *${esc(option?.label ?? String(e.data?.['option']))}* at ${title} · ${when(e.at)}`;
    }
    case 'wait.started':
      return `:hourglass_flowing_sand: ${who} started the bake at ${title}; it ends ${when(String(e.data?.['until']))}`;
    case 'wait.elapsed':
      return `:bell: Bake time over at ${title} · ${when(e.at)} · <@${state.requestedBy}> the next step is open.`;
    case 'reminder.snoozed':
      return `:zzz: ${who} snoozed reminders until ${when(String(e.data?.['until']))}`;
    case 'run.closed':
      return `:checkered_flag: Run \`${e.run_id}\` closed · ${when(e.at)} · ${e.seq + 1} events, head hash \`${e.hash}\``;
  }
}
