import { defineMode, modeModule } from '@ringmaster/core';
import { drArtifacts } from './artifacts.js';
import { drRules } from './rules.js';
import { drIntents } from './intents.js';

export { drRules, drTargets, EVIDENCE_ARTIFACTS, type DrTargets } from './rules.js';
export { drDrillChecklist, type DrDrillChecklistInput } from './checklists.js';
export { DR_NAMES, drArtifacts, drDrillScript, drillSchedule, durationSeconds, incidentLogTemplate, restoreRunbook } from './artifacts.js';

/** Mode 9: DR & BCP. Recovery targets by risk tier, drills that prove them, and the restore runbook. */
export const drMode = defineMode({
  id: 'dr',
  sections: [{ id: 'dr_plan' }],
  title: 'DR & BCP',
  specMode: 9,
  kb: ['KB_15#Disaster_Recovery', 'KB_15#RTO_Tracking'],
  dependsOn: {
    inputs: ['/risk_tier', '/infra/cloud_provider', '/infra/regions', '/data/primary_store', '/crm_profile/data_residency_regions', '/compliance', '/current_pain'],
    asks: ['cloud_provider'],
  },
  intents: drIntents,
  keywords: ['dr', 'disaster*', 'restor*', 'failover*', 'fail over', 'backup*', 'back up', 'recover*', 'bcp', 'resilien*', 'continuity', 'rpo', 'rto', 'drill*'],
  signals: [
    { id: 'pain:incidents', weight: 0.3, when: (p) => p.current_pain.includes('incidents') },
    // A high-risk platform in several regions must plan for losing one, whatever the goal's words.
    { id: 'profile:high_risk_multi_region', weight: 0.5, when: (p) => p.risk_tier === 'high' && p.infra.regions.length > 1 },
  ],
  rules: drRules,
  artifacts: drArtifacts,
  risks: () => ['dr-restore-failure'],
});

export const drModule = modeModule(drMode);
