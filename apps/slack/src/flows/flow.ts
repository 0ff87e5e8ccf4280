import type { Checklist, KbTrace } from '@ringmaster/core';
import type { RunKind } from '@ringmaster/evidence';
import type { Connectors } from '../actions/connectors.js';
import { escapeText, inlineCode, joinText, mrkdwn, type SlackText } from '../slack-text.js';

/** What a flow's plan may read besides its own arguments (the app's configuration). */
export interface FlowContext {
  /** Rings a promotion walks through unless the command names them. */
  defaultRings: readonly string[];
  /** Which connectors are configured: steps act only through those (off unless configured). */
  actions?: { gitops: boolean; health: boolean };
}

/** A flow's arguments, read from the words after its subcommand; a message for the user when they do not parse. */
export type FlowArgs<A> = { ok: true; args: A } | { ok: false; message: SlackText };

/**
 * Everything the app knows about one kind of run, in one place: a new flow is one
 * definition (and its checklist, owned by a mode package) registered in the flow
 * registry. Nothing else in the app names a flow.
 */
export interface FlowDefinition<A extends object = object> {
  /** The `/release` subcommand that opens it. */
  command: string;
  /** Its arguments as the usage line shows them, e.g. `<service> [sev1|sev2|sev3] [summary]`. */
  usage: string;
  /** One line for `/release help`. */
  description: string;
  /** The run kind its evidence bundle records. */
  kind: RunKind;
  /** The mode package that owns the checklist (the log's `mode_selected`). */
  mode: string;
  /** Reads the words after the subcommand (already decoded and checked for unstorable characters). */
  parse(args: readonly string[]): FlowArgs<A>;
  /**
   * Reads what the run needs from the connectors before it opens (e.g. the digests
   * promoted before, for a rollback); a message for the user when it cannot open.
   */
  prepare?(args: A, connectors: Connectors): Promise<FlowArgs<A>>;
  /** The run's checklist and parameters (recorded in its first event; `params.actions` says which steps act). */
  plan(args: A, context: FlowContext): { checklist: Checklist; params: Record<string, unknown> };
  /** Spec section 9 `risk_tier`, from the run's parameters. */
  riskTier(params: Readonly<Record<string, unknown>>): string;
  /** What the closing evidence upload holds besides the event log and the summary. */
  evidence: {
    /** Extra files, as the closing comment names them (e.g. "post-mortem draft"). */
    files?: readonly string[];
    /** The metric the summary measures, said in the closing comment. */
    metrics?: string;
  };
}

/** A registered flow (its argument type erased: a flow only ever gets back what its own `parse` returned). */
export type Flow = FlowDefinition<Record<string, unknown>>;

/** Writes a flow definition with its argument type checked, for the registry. */
export function defineFlow<A extends object>(definition: FlowDefinition<A>): Flow {
  return definition as unknown as Flow;
}

/** A run about to open: its checklist and what the logs say about it. */
export interface RunPlan {
  flow: Flow;
  kind: RunKind;
  title: string;
  checklist: Checklist;
  params: Record<string, unknown>;
  /** Spec section 9 log fields. */
  mode: string;
  riskTier: string;
  kb: readonly KbTrace[];
}

/** A flow's command as `/release` parsed it: the subcommand and the flow's own arguments. */
export type FlowCommand = { sub: string } & Record<string, unknown>;

const COMMAND_RE = /^[a-z][a-z0-9-]{0,30}$/;
/** Subcommands of the app itself (and the parser's `invalid`), never a flow's. */
export const APP_SUBCOMMANDS: ReadonlySet<string> = new Set(['plan', 'status', 'export', 'help', 'invalid']);

/** The flows the app runs, by subcommand; a run finds its flow by the subcommand recorded when it opened. */
export class FlowRegistry {
  private readonly byCommand = new Map<string, Flow>();

  constructor(flows: readonly Flow[] = []) {
    for (const flow of flows) this.register(flow);
  }

  /** Adds a flow; its subcommand must be new and not one of the app's own. */
  register(flow: Flow): this {
    if (!COMMAND_RE.test(flow.command)) throw new Error(`flow subcommand "${flow.command}" must be lower-case letters, digits and "-"`);
    if (APP_SUBCOMMANDS.has(flow.command) || this.byCommand.has(flow.command)) throw new Error(`flow subcommand "${flow.command}" is already taken`);
    this.byCommand.set(flow.command, flow);
    return this;
  }

  all(): Flow[] {
    return [...this.byCommand.values()];
  }

  get(command: string): Flow | undefined {
    return this.byCommand.get(command);
  }

  /**
   * The flow of a run: the one whose subcommand opened it (recorded in its first
   * event), or for runs opened before that was recorded, the first of its kind.
   */
  forRun(run: { kind: RunKind; flow?: string | undefined }): Flow {
    const flow = (run.flow !== undefined ? this.byCommand.get(run.flow) : undefined) ?? this.all().find((f) => f.kind === run.kind);
    if (!flow) throw new Error(`no flow for run kind ${run.kind}`);
    return flow;
  }

  /** The flow of a parsed flow command. */
  flowOf(cmd: FlowCommand): Flow {
    const flow = this.get(cmd.sub);
    if (!flow) throw new Error(`no flow for /release ${cmd.sub}`);
    return flow;
  }

  /** The usage lines of every flow, then the app's own subcommands. */
  usage(): SlackText {
    return joinText(
      [
        '*Usage:* `/release <subcommand>`',
        ...this.all().map((f) => `• \`${f.command} ${f.usage}\` — ${f.description}`),
        '• `plan` — paste a profile, get the blueprint and its artifacts',
        '• `status` — open checklists',
        "• `export <run-id>` — the run's evidence bundle",
        '• `help` — this message',
      ].map((line) => escapeText(line)),
      '\n',
    );
  }

  /** A run's plan from a parsed flow command. */
  plan(cmd: FlowCommand, context: FlowContext): RunPlan {
    const flow = this.flowOf(cmd);
    const { checklist, params } = flow.plan(cmd, context);
    return { flow, kind: flow.kind, title: checklist.title, checklist, params, mode: flow.mode, riskTier: flow.riskTier(params), kb: checklist.kb };
  }
}

/** The comment of a run's closing evidence upload, from what its flow's evidence holds. */
export function closingComment(flow: Flow, runId: string): SlackText {
  const files = flow.evidence.files?.length ? mrkdwn`, ${escapeText(flow.evidence.files.join(', '))}` : mrkdwn``;
  const metrics = flow.evidence.metrics ? mrkdwn` ${escapeText(flow.evidence.metrics)}` : mrkdwn``;
  return mrkdwn`Evidence bundle for ${inlineCode(runId)}: event log, summary${files}.${metrics}`;
}

// ---- argument rules several flows share ----------------------------------------------------------
export const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,199}$/;

export function refuse(message: SlackText): { ok: false; message: SlackText } {
  return { ok: false, message };
}
