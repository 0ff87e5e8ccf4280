import type { Checklist, KbTrace } from '@ringmaster/core';
import type { RunKind } from '@ringmaster/evidence';
import { drDrillChecklist, drTargets, incidentChecklist, promotionChecklist, rollbackChecklist } from '@ringmaster/modes';
import type { ReleaseCommand } from './commands.js';

/** A run about to open: its checklist (owned by a mode package) and what the logs say about it. */
export interface RunPlan {
  kind: RunKind;
  title: string;
  checklist: Checklist;
  params: Record<string, unknown>;
  /** Spec section 9 log fields. */
  mode: string;
  riskTier: string;
  kb: readonly KbTrace[];
}

type StartCommand = Extract<ReleaseCommand, { sub: 'incident' | 'rollback' | 'drill' | 'promote' }>;

/** What the app knows about one kind of run: its mode, its risk tier, how its checklist is made. */
interface Flow<C extends StartCommand> {
  kind: RunKind;
  /** The mode package that owns the checklist (the log's `mode_selected`). */
  mode: string;
  /** Spec section 9 `risk_tier`, from the run's parameters. */
  riskTier(params: Record<string, unknown>): string;
  plan(cmd: C, defaultRings: readonly string[]): { checklist: Checklist; params: Record<string, unknown> };
}

const SEV_TIER: Readonly<Record<string, string>> = { sev1: 'high', sev2: 'medium', sev3: 'low' };

/** One definition per flow, keyed by its subcommand. */
export const FLOWS: { [S in StartCommand['sub']]: Flow<Extract<StartCommand, { sub: S }>> } = {
  incident: {
    kind: 'incident',
    mode: 'incident',
    riskTier: (params) => SEV_TIER[String(params['severity'])] ?? 'unknown',
    plan: (cmd) => {
      const params = { service: cmd.service, severity: cmd.severity, ...(cmd.summary ? { summary: cmd.summary } : {}) };
      return { checklist: incidentChecklist(params), params };
    },
  },
  rollback: {
    kind: 'rollback',
    mode: 'incident',
    riskTier: () => 'high',
    plan: (cmd) => {
      const params = { service: cmd.service, ...(cmd.version ? { version: cmd.version } : {}) };
      return { checklist: rollbackChecklist(params), params };
    },
  },
  drill: {
    kind: 'drill',
    mode: 'dr',
    riskTier: (params) => String(params['risk_tier'] ?? 'unknown'),
    plan: (cmd) => {
      const targets = drTargets(cmd.tier);
      return {
        checklist: drDrillChecklist({ scenario: cmd.scenario, rto: targets.rto, rpo: targets.rpo }),
        params: { scenario: cmd.scenario, risk_tier: cmd.tier, rto: targets.rto, rpo: targets.rpo, drill_schedule: targets.drill_schedule },
      };
    },
  },
  promote: {
    kind: 'promotion',
    mode: 'progressive-delivery',
    riskTier: () => 'unknown',
    plan: (cmd, defaultRings) => {
      const params = { service: cmd.service, version: cmd.version, rings: cmd.rings ?? [...defaultRings] };
      return { checklist: promotionChecklist(params), params };
    },
  },
};

/** The flow a run of `kind` belongs to. */
export function flowOf(kind: RunKind): Flow<StartCommand> {
  const flow = Object.values(FLOWS).find((f) => f.kind === kind);
  if (!flow) throw new Error(`no flow for run kind ${kind}`);
  return flow as Flow<StartCommand>;
}

export function planRun(cmd: StartCommand, defaultRings: readonly string[]): RunPlan {
  const flow = FLOWS[cmd.sub] as Flow<StartCommand>;
  const { checklist, params } = flow.plan(cmd, defaultRings);
  return { kind: flow.kind, title: checklist.title, checklist, params, mode: flow.mode, riskTier: flow.riskTier(params), kb: checklist.kb };
}
