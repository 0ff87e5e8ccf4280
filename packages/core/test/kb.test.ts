import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase, RISK_MATRIX, tracesInText, UnresolvedTraceError } from '../src/index.js';

describe('knowledge base', () => {
  const kb = loadKnowledgeBase();

  it('has all twenty documents', () => {
    expect(new Set(kb.traces().map((t) => t.slice(0, 5))).size).toBe(20);
  });

  it('has no empty section', () => {
    for (const trace of kb.traces()) expect(kb.get(trace)?.body.length ?? 0, trace).toBeGreaterThan(100);
  });

  it('has no unfinished text', () => {
    for (const trace of kb.traces()) expect(kb.get(trace)?.body, trace).not.toMatch(/\b(TODO|TBD|lorem ipsum|placeholder)\b/i);
  });

  it('resolves every anchor the spec cites and every risk-matrix row', () => {
    const cited = ['KB_01#Architecture', 'KB_01#Build_Once', 'KB_01#Canary', 'KB_02#Feature_Flags', 'KB_02#Progressive_Delivery', 'KB_02#Trunk_Based', 'KB_03#Flaky_Management', 'KB_03#Test_Pyramid', 'KB_04#Dependencies', 'KB_04#SBOM_Generation', 'KB_04#SLSA_Levels', 'KB_04#Signing', 'KB_04#Supply_Chain', 'KB_04#Zero_Trust', 'KB_05#OIDC', 'KB_05#OIDC_Identity', 'KB_05#Secrets', 'KB_06#GitOps', 'KB_06#GitOps_Sync', 'KB_06#Policy', 'KB_06#Policy_As_Code', 'KB_07#Observability', 'KB_07#Release_Markers', 'KB_07#SLO_Burn', 'KB_08#Expand_Contract', 'KB_08#ZeroDowntime', 'KB_09#Contract_Testing', 'KB_09#Reliability', 'KB_09#Resilience', 'KB_10#Audit', 'KB_10#Compliance', 'KB_14#Incident_Response', 'KB_14#OnCall', 'KB_14#Post_Mortem', 'KB_15#Disaster_Recovery', 'KB_15#Drills', 'KB_15#RTO_Tracking', 'KB_15#Restore_Procedure', 'KB_16#Prioritization', 'KB_16#Vuln_Management', 'KB_17#Caching', 'KB_17#Ephemeral_Builders', 'KB_17#Hardening', 'KB_17#Runners', 'KB_18#Canary', 'KB_18#Residency', 'KB_18#Ring_Deployment', 'KB_18#Tenant_Canary', 'KB_19#Budgets', 'KB_19#Cost_Controls', 'KB_19#FinOps_Controls', 'KB_19#Tagging', 'KB_20#Certs'];
    expect(cited).toHaveLength(53);
    expect(() => kb.assertResolves([...cited, ...RISK_MATRIX.map((r) => r.kb)])).not.toThrow();
  });

  it('fails on an unknown anchor, naming it', () => {
    expect(() => kb.assertResolves(['KB_18#Tenant_Canary', 'KB_18#Nope'])).toThrow(UnresolvedTraceError);
    expect(() => kb.assertResolves(['KB_18#Nope'])).toThrow('KB_18#Nope');
  });

  it('finds traces in text', () => {
    expect(tracesInText('see [KBTRACE: KB_04#Signing] and KB_17#Caching.')).toEqual(['KB_04#Signing', 'KB_17#Caching']);
  });
});
