import { defineMode, modeModule } from '@ringmaster/core';
import { vulnMgmtArtifacts } from './artifacts.js';
import { vulnMgmtRules } from './rules.js';
import { vulnMgmtIntents } from './intents.js';

export { vulnMgmtRules, DEFAULT_SLAS, LOW_RISK_SLAS, EPSS_THRESHOLD, EXCEPTION_FIELDS, type Slas } from './rules.js';
export { exceptionPolicy, trivyGate, vexTemplate, vulnPolicy, vulnMgmtArtifacts, KEV_FEED, EPSS_API } from './artifacts.js';

/** Goal words that mean vulnerability management. */
export const VULN_WORDS = [
  'vuln*',
  'cve*',
  'cvss',
  'scan*',
  'patch*',
  'kev',
  'epss',
  'vex',
  'sca',
  'trivy',
  'grype',
  'exploit*',
  'zero day*',
  'zeroday*',
  'remediat*',
  'defectdojo',
  'security polic*',
] as const;

/** Mode 4: vulnerability management. Prioritize real risk (KEV/EPSS) over heavy scans. */
export const vulnMgmtMode = defineMode({
  id: 'vuln-mgmt',
  sections: [{ id: 'vuln_mgmt_policy' }],
  title: 'Vulnerability Management',
  specMode: 4,
  kb: ['KB_16#Vuln_Management', 'KB_16#Prioritization'],
  dependsOn: { inputs: ['/compliance/targets', '/risk_tier', '/current_pain'], asks: ['compliance_targets'] },
  intents: vulnMgmtIntents,
  keywords: VULN_WORDS,
  signals: [
    { id: 'pain:vuln_debt', weight: 0.7, when: (p) => p.current_pain.includes('vuln_debt') },
    { id: 'compliance:targets', weight: 0.3, when: (p) => p.compliance.targets.length > 0 },
  ],
  rules: vulnMgmtRules,
  artifacts: vulnMgmtArtifacts,
  risks: () => ['dependency-confusion', 'policy-false-positive'],
  notes: (ctx) => {
    const warnings: string[] = [];
    if (ctx.profile.compliance.targets.length === 0) {
      warnings.push('vuln-mgmt: no compliance target given, so the SLAs follow the spec defaults; check them against your audit framework.');
    }
    return { warnings };
  },
});

export const vulnMgmtModule = modeModule(vulnMgmtMode);
