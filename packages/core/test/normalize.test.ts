import { describe, expect, it } from 'vitest';
import { clarificationsFor, complianceTargetOf, ciVendorOf, gitopsToolOf, KNOWN_TOP_LEVEL_KEYS, normalizeProfile, storeFamilyOf, type Profile } from '../src/index.js';

const normalize = (p: Profile) => normalizeProfile(p, KNOWN_TOP_LEVEL_KEYS);

describe('normalization and the section 4 assumption policy', () => {
  it('fills every absent field with unknown and records the assumptions', () => {
    const { profile, assumptions } = normalize({ goal: '  Setup CI  ' });
    expect(profile.goal).toBe('Setup CI');
    expect(profile.infra.cloud_provider).toBe('unknown');
    expect(profile.infra.orchestrator).toBe('unknown');
    expect(profile.data.sharding_model).toBe('unknown');
    expect(profile.ci_vendor).toBe('unknown');
    expect(profile.risk_tier).toBe('high');
    expect(profile.crm.pattern).toBe('generic_enterprise');
    expect(assumptions).toEqual([
      expect.stringContaining('generic enterprise CRM pattern'),
      expect.stringContaining('assumed high'),
      expect.stringContaining('cloud-agnostic'),
    ]);
  });

  it('makes no assumption for what the user gave', () => {
    const { assumptions, profile } = normalize({ goal: 'x', risk_tier: 'low', infra: { cloud_provider: 'aws' }, crm_profile: { multi_tenant: false } });
    expect(assumptions).toEqual([]);
    expect(profile.crm.pattern).toBe('described');
  });

  it('sorts set-like arrays so that input order does not matter, but keeps ring order', () => {
    const a = normalize({ goal: 'x', current_pain: ['costs', 'flaky_tests'], release_policy: { ring_model: { rings: ['b', 'a'] } } }).profile;
    const b = normalize({ goal: 'x', current_pain: ['flaky_tests', 'costs'], release_policy: { ring_model: { rings: ['b', 'a'] } } }).profile;
    expect(a.current_pain).toEqual(['costs', 'flaky_tests']);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.release_policy.ring_model.rings).toEqual(['b', 'a']);
  });

  it.each([
    ['GitHub Actions', 'github_actions'],
    ['gitlab-ci', 'gitlab_ci'],
    ['Azure DevOps', 'azure_devops'],
    ['Jenkins', 'other'],
    ['', 'unknown'],
  ])('recognizes CI vendor %s', (given, expected) => expect(ciVendorOf(given)).toBe(expected));

  it.each([
    ['argocd', 'argocd'],
    ['Argo CD', 'argocd'],
    ['fluxcd', 'flux'],
    ['spinnaker', 'other'],
  ])('recognizes GitOps tool %s', (given, expected) => expect(gitopsToolOf(given)).toBe(expected));

  it.each([
    ['postgres', 'postgres'],
    ['Aurora PostgreSQL', 'postgres'],
    ['MySQL 8', 'mysql'],
    ['MongoDB Atlas', 'mongodb'],
    ['redis', 'other'],
  ])('recognizes store %s', (given, expected) => expect(storeFamilyOf(given)).toBe(expected));

  it.each([
    ['SOC 2', 'SOC2'],
    ['soc2 type ii', 'SOC2'],
    ['ISO', 'ISO27001'],
    ['iso 27001', 'ISO27001'],
    ['pci-dss', 'PCI_DSS'],
    ['nis2', 'NIS2'],
  ])('canonicalizes compliance target %s', (given, expected) => expect(complianceTargetOf(given)).toBe(expected));
});

describe('ask vs assume', () => {
  it('asks only the criteria that are requested and unknown, in the spec order', () => {
    const { profile } = normalize({ goal: 'x', infra: { cloud_provider: 'aws' } });
    expect(clarificationsFor(['orchestrator', 'cloud_provider', 'ci_vendor'], profile).map((l) => l.split(':')[0])).toEqual(['ci_vendor', 'orchestrator']);
    expect(clarificationsFor([], profile)).toEqual([]);
  });
});
