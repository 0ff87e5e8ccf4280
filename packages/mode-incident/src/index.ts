import { defineMode, modeModule } from '@ringmaster/core';
import { incidentArtifacts } from './artifacts.js';
import { incidentRules } from './rules.js';
import { incidentIntents } from './intents.js';

export { incidentRules, INCIDENT_STEPS, SEVERITY_LEVELS, type Severity } from './rules.js';
export { incidentChecklist, rollbackChecklist, type IncidentChecklistInput, type RollbackChecklistInput } from './checklists.js';
export { auditBreakGlass, breakGlassProcedure, incidentChecklistArtifact, postMortemTemplate } from './artifacts.js';

/** Mode 8: Operations (incident response), with the break-glass path for emergency fixes. */
export const incidentMode = defineMode({
  id: 'incident',
  sections: [{ id: 'incident_response' }],
  title: 'Operations: Incident Response',
  specMode: 8,
  kb: ['KB_14#Incident_Response', 'KB_14#Post_Mortem'],
  dependsOn: {
    inputs: ['/risk_tier', '/current_pain', '/cd_strategy', '/gitops_tool', '/infra/cloud_provider', '/release_policy/change_approval_level'],
    asks: [],
  },
  intents: incidentIntents,
  keywords: [
    'incident*',
    'outage*',
    'hotfix*',
    'hot fix*',
    'emergenc*',
    'break glass',
    'breakglass',
    'on call',
    'oncall',
    'pager*',
    'paging',
    'opsgenie',
    'post mortem*',
    'postmortem*',
    'rollback*',
    'roll back',
    'sev',
    'sev0',
    'sev1',
    'sev2',
    'sev3',
    'severity',
    'mttr',
    'mtta',
    'firefight*',
    'war room',
  ],
  signals: [{ id: 'pain:incidents', weight: 0.4, when: (p) => p.current_pain.includes('incidents') }],
  rules: incidentRules,
  artifacts: incidentArtifacts,
  risks: () => ['deployment-failed', 'policy-false-positive'],
});

export const incidentModule = modeModule(incidentMode);
