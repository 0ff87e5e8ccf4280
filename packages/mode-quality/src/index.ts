import { defineMode, modeModule } from '@ringmaster/core';
import { qualityArtifacts } from './artifacts.js';
import { qualityRules } from './rules.js';
import { qualityIntents } from './intents.js';

export { qualityRules, flakyEvidence, FLAKY_WORDS } from './rules.js';
export { circuitBreakerConfig, flakyQuarantine, integrationIds, pactVerificationJob, qualityArtifacts, wiremockStubs } from './artifacts.js';

/** Mode 2: quality gates and contract testing. Stops flakiness and integration breaks. */
export const qualityMode = defineMode({
  id: 'quality',
  sections: [{ id: 'quality_strategy' }],
  title: 'Quality Gates & Contract Testing',
  specMode: 2,
  kb: ['KB_03#Test_Pyramid', 'KB_09#Contract_Testing', 'KB_03#Flaky_Management', 'KB_09#Reliability'],
  dependsOn: { inputs: ['/crm_profile/integrations', '/current_pain', '/ci_platform'], asks: [] },
  intents: qualityIntents,
  keywords: [
    'test*',
    'flak*',
    'quality',
    'qa',
    'contract*',
    'pact',
    'integration*',
    'stabil*',
    'reliab*',
    'resilien*',
    'circuit breaker*',
    'quarantin*',
    'coverage',
    'regression*',
    'wiremock',
    'mock*',
  ],
  signals: [
    { id: 'pain:flaky_tests', weight: 0.6, when: (p) => p.current_pain.includes('flaky_tests') },
    { id: 'profile:integrations', weight: 0.4, when: (p) => p.crm.integrations.length > 0 },
    { id: 'profile:api_public', weight: 0.2, when: (p) => p.crm.api_public === true },
  ],
  rules: qualityRules,
  artifacts: qualityArtifacts,
  risks: (ctx) => (ctx.profile.crm.integrations.length > 0 ? ['integration-rate-limit'] : []),
  notes: (ctx, decided) => {
    const warnings: string[] = [];
    if (decided.get('quality_strategy.contract_testing') === true && (ctx.profile.ci_vendor === 'unknown' || ctx.profile.ci_vendor === 'other')) {
      warnings.push('quality: CI vendor unknown, so the Pact verification job is written for GitHub Actions; port the two steps to your CI.');
    }
    return { warnings };
  },
});

export const qualityModule = modeModule(qualityMode);
