import { drDrillChecklist, drTargets } from '@ringmaster/modes';
import { escapeText } from '../slack-text.js';
import { defineFlow, refuse } from './flow.js';

type Tier = 'low' | 'medium' | 'high';

/** DR drill (spec Mode 9): measured RTO against the tier's target. */
export const drillFlow = defineFlow<{ scenario: string; tier: Tier }>({
  command: 'drill',
  usage: '<scenario> [low|medium|high]',
  description: 'DR drill with measured RTO against the tier target',
  kind: 'drill',
  mode: 'dr',
  parse(args) {
    const last = args[args.length - 1]?.toLowerCase();
    const hasTier = last === 'low' || last === 'medium' || last === 'high';
    const scenario = (hasTier ? args.slice(0, -1) : args).join(' ');
    if (!scenario || scenario.length > 120 || /[<>&`*]/.test(scenario)) return refuse(escapeText('`drill` needs a scenario, e.g. `/release drill region-failure high`.'));
    return { ok: true, args: { scenario, tier: hasTier ? (last as Tier) : 'high' } };
  },
  plan({ scenario, tier }) {
    const targets = drTargets(tier);
    return {
      checklist: drDrillChecklist({ scenario, rto: targets.rto, rpo: targets.rpo }),
      params: { scenario, risk_tier: tier, rto: targets.rto, rpo: targets.rpo, drill_schedule: targets.drill_schedule },
    };
  },
  riskTier: (params) => String(params['risk_tier'] ?? 'unknown'),
  evidence: { metrics: 'Measured RTO against target is in the summary.' },
});
