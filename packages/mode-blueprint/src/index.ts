import { defineMode, modeModule, type RiskId } from '@ringmaster/core';
import { blueprintArtifacts } from './artifacts.js';
import { blueprintRules } from './rules.js';
import { blueprintIntents } from './intents.js';

export { blueprintRules, deployRegions, jurisdictionOf } from './rules.js';

/** Mode 1: the multi-tenant CI/CD blueprint, and the standard enterprise blueprint when nothing else applies. */
export const blueprintMode = defineMode({
  id: 'blueprint',
  sections: [{ id: 'pipeline_blueprint' }],
  title: 'Design CRM CI/CD blueprint (multi-tenant)',
  specMode: 1,
  kb: ['KB_01#Architecture', 'KB_02#Trunk_Based', 'KB_18#Ring_Deployment'],
  dependsOn: { inputs: ['/crm_profile/multi_tenant', '/infra/orchestrator', '/crm_profile/data_residency_regions', '/release_policy'], asks: ['orchestrator', 'multi_tenancy', 'ci_vendor'] },
  intents: blueprintIntents,
  keywords: ['pipeline*', 'ci', 'cd', 'cicd', 'blueprint*', 'setup', 'deploy*', 'release*', 'delivery', 'build*', 'residency', 'gdpr', 'region*', 'tenan*', 'architect*', 'freeze', 'cab', 'approval*', 'branch*', 'trunk', 'promot*'],
  signals: [
    { id: 'profile:data_residency_regions', weight: 0.6, when: (p) => p.crm.data_residency_regions.length > 0 },
    { id: 'profile:change_approval_level=cab', weight: 0.6, when: (p) => p.release_policy.change_approval_level === 'cab' },
    { id: 'profile:multi_tenant', weight: 0.3, when: (p) => p.crm.multi_tenant === true },
    { id: 'profile:ring_model.enabled', weight: 0.3, when: (p) => p.release_policy.ring_model.enabled === true },
    { id: 'profile:cadence', weight: 0.2, when: (p) => p.release_policy.cadence !== 'unknown' },
  ],
  rules: blueprintRules,
  artifacts: blueprintArtifacts,
  risks(ctx) {
    const risks: RiskId[] = ['deployment-failed', 'cache-poisoning'];
    if (ctx.profile.crm.data_residency_regions.length > 0) risks.push('residency-breach');
    if (ctx.profile.release_policy.change_approval_level === 'cab') risks.push('policy-false-positive');
    return risks;
  },
  notes(ctx) {
    const warnings: string[] = [];
    if (ctx.profile.ci_vendor === 'unknown') warnings.push('ci_platform not given: pipeline files are written for GitHub Actions.');
    if (ctx.profile.cd_strategy === 'manual') warnings.push('cd_strategy manual replaced by a Git-driven deploy: manual production changes are ClickOps, a critical failure.');
    return { warnings };
  },
});

export const blueprintModule = modeModule(blueprintMode);
