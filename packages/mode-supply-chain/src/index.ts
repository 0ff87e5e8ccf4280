import { defineMode, modeModule, type RiskId } from '@ringmaster/core';
import { supplyChainArtifacts } from './artifacts.js';
import { cacheFocus, ciTarget, coreWanted, evidenceFocus, runnerFocus, signingUnavailable, WORDS } from './intent.js';
import { supplyChainRules } from './rules.js';
import { supplyChainIntents } from './intents.js';

export { supplyChainRules, slsaRoadmap, auditorQueries, EVIDENCE_ARTIFACTS } from './rules.js';
export {
  admissionPolicy,
  auditReportTemplate,
  cachePolicy,
  checksumManifest,
  cleanCacheJob,
  cosignSign,
  egressRules,
  evidenceChecklist,
  evidenceCollector,
  hashVerification,
  retentionPolicy,
  runnerDisruptionBudget,
  runnerPolicy,
  supplyChainArtifacts,
} from './artifacts.js';
export { ciOidcWorkflow, oidcTrustPolicy } from './identity.js';
export { WORDS as SUPPLY_CHAIN_WORDS, signingUnavailable, runnerFocus, cacheFocus, evidenceFocus } from './intent.js';

/** Mode 3: supply-chain security (SLSA). Trust nothing but cryptography. */
export const supplyChainMode = defineMode({
  id: 'supply-chain',
  sections: [{ id: 'security_controls' }, { id: 'evidence_bundle_plan' }],
  title: 'Supply Chain Security (SLSA)',
  specMode: 3,
  kb: ['KB_04#Supply_Chain', 'KB_04#SLSA_Levels', 'KB_05#OIDC_Identity', 'KB_17#Hardening', 'KB_17#Ephemeral_Builders'],
  dependsOn: {
    inputs: ['/infra/cloud_provider', '/infra/orchestrator', '/ci_platform', '/risk_tier', '/compliance', '/current_pain', '/stack/languages'],
    asks: ['cloud_provider', 'ci_vendor'],
  },
  intents: supplyChainIntents,
  keywords: [
    ...WORDS.identity,
    ...WORDS.signing,
    ...WORDS.runner,
    ...WORDS.cache,
    ...WORDS.evidence,
    ...WORDS.pipeline,
    ...WORDS.security,
    'secure',
  ],
  signals: [
    { id: 'pain:runner_risk', weight: 0.7, when: (p) => p.current_pain.includes('runner_risk') },
    { id: 'pain:audit_findings', weight: 0.6, when: (p) => p.current_pain.includes('audit_findings') },
    { id: 'compliance:audit_evidence_required', weight: 0.6, when: (p) => p.compliance.audit_evidence_required === true },
    { id: 'compliance:targets', weight: 0.4, when: (p) => p.compliance.targets.length > 0 },
  ],
  rules: supplyChainRules,
  artifacts: supplyChainArtifacts,
  risks: (ctx) => {
    const risks: RiskId[] = [];
    if (coreWanted(ctx)) risks.push('static-secret-leak', 'dependency-confusion');
    if (runnerFocus(ctx)) risks.push('runner-compromise');
    if (cacheFocus(ctx)) risks.push('cache-poisoning');
    if (evidenceFocus(ctx)) risks.push('audit-gap');
    return risks;
  },
  notes: (ctx) => {
    const warnings: string[] = [];
    const fallbacks: string[] = [];
    const vendor = ctx.profile.ci_vendor;
    if ((vendor === 'unknown' || vendor === 'other') && ciTarget(ctx.profile) === 'github_actions') {
      warnings.push(`supply-chain: CI vendor ${vendor === 'unknown' ? 'unknown' : `"${ctx.profile.ci_platform}"`}, so the OIDC, signing and cache files are written for GitHub Actions; port the steps to your CI.`);
    }
    if (ctx.profile.infra.cloud_provider === 'unknown' || ctx.profile.infra.cloud_provider === 'on_prem') {
      warnings.push('supply-chain: no public cloud given, so OIDC trust is a portable Vault JWT role and runtime secrets live in HashiCorp Vault (synced by External Secrets).');
    }
    if (signingUnavailable(ctx)) {
      fallbacks.push('supply-chain: signing tooling (cosign/Syft) unavailable: checksum verification at SLSA L1 with a roadmap to L3 (spec section 10).');
    }
    return { warnings, fallbacks };
  },
});

export const supplyChainModule = modeModule(supplyChainMode);
