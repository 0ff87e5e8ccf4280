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

const SEV_TIER = { sev1: 'high', sev2: 'medium', sev3: 'low' } as const;

export function planRun(cmd: StartCommand, defaultRings: readonly string[]): RunPlan {
  const make = (kind: RunKind, checklist: Checklist, params: Record<string, unknown>, mode: string, riskTier: string): RunPlan => ({
    kind,
    title: checklist.title,
    checklist,
    params,
    mode,
    riskTier,
    kb: checklist.kb,
  });
  switch (cmd.sub) {
    case 'incident':
      return make(
        'incident',
        incidentChecklist({ service: cmd.service, severity: cmd.severity, ...(cmd.summary ? { summary: cmd.summary } : {}) }),
        { service: cmd.service, severity: cmd.severity, ...(cmd.summary ? { summary: cmd.summary } : {}) },
        'incident',
        SEV_TIER[cmd.severity],
      );
    case 'rollback':
      return make(
        'rollback',
        rollbackChecklist({ service: cmd.service, ...(cmd.version ? { version: cmd.version } : {}) }),
        { service: cmd.service, ...(cmd.version ? { version: cmd.version } : {}) },
        'incident',
        'high',
      );
    case 'drill': {
      const targets = drTargets(cmd.tier);
      return make(
        'drill',
        drDrillChecklist({ scenario: cmd.scenario, rto: targets.rto, rpo: targets.rpo }),
        { scenario: cmd.scenario, risk_tier: cmd.tier, rto: targets.rto, rpo: targets.rpo, drill_schedule: targets.drill_schedule },
        'dr',
        cmd.tier,
      );
    }
    case 'promote': {
      const rings = cmd.rings ?? [...defaultRings];
      return make(
        'promotion',
        promotionChecklist({ service: cmd.service, version: cmd.version, rings }),
        { service: cmd.service, version: cmd.version, rings },
        'progressive-delivery',
        'unknown',
      );
    }
  }
}
