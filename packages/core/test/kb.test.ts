import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateBefore, isIsoDate, KnowledgeBase, latestVerified, loadKnowledgeBase, parseKbAge, planReferenceDate, RISK_MATRIX, sectionsVerifiedBefore, tracesInText, UnresolvedTraceError } from '../src/index.js';

/** A knowledge base in a temporary folder, from `KB_NN_<topic>.md` name → text. */
function tempKb(files: Record<string, string>): KnowledgeBase {
  const dir = mkdtempSync(join(tmpdir(), 'ringmaster-kb-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return new KnowledgeBase(dir);
}

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

  it('names primary sources and a verified-on date for every section, right under its heading', () => {
    expect(kb.problems()).toEqual([]);
    for (const trace of kb.traces()) {
      const section = kb.get(trace);
      expect(section?.sources.length ?? 0, trace).toBeGreaterThan(0);
      expect(isIsoDate(section?.verified ?? ''), trace).toBe(true);
      // The metadata lines are fields, not part of the text.
      expect(section?.body, trace).not.toMatch(/^(Sources|Verified):/m);
    }
  });

  it('reads sources, date and Ringmaster defaults from a section', () => {
    const section = tempKb({
      'KB_01_architecture.md': '# KB_01 — T\n\n## Bake\n\nSources: https://a.example/x; https://b.example/y\nVerified: 2026-02-28\n\nText.\n- Ringmaster default: bake 30 minutes.\n\nRingmaster defaults (adjust):\n- step 5%\n- pause 10m\n\nRequired: nothing else.\n',
    }).get('KB_01#Bake');
    expect(section).toMatchObject({ sources: ['https://a.example/x', 'https://b.example/y'], verified: '2026-02-28', choices: ['bake 30 minutes.', 'step 5%', 'pause 10m'] });
    expect(section?.body).toMatch(/^Text\.\n- Ringmaster default: bake 30 minutes\./);
  });

  it('marks Ringmaster\'s own choices apart from what standards require', () => {
    const choices = (t: string): string[] => kb.get(t)?.choices ?? [];
    expect(choices('KB_16#Prioritization').join(' ')).toMatch(/EPSS ≥ 0\.1/);
    expect(choices('KB_18#Ring_Deployment').join(' ')).toMatch(/bake 1 hour/);
    expect(choices('KB_01#Canary').length).toBeGreaterThan(1);
    expect(choices('KB_10#Retention').join(' ')).not.toMatch(/HIPAA/);
    expect(kb.traces().filter((t) => choices(t).length > 0).length).toBeGreaterThanOrEqual(12);
  });

  it('rejects a section without sources or date, or with malformed ones', () => {
    const bad = tempKb({
      'KB_01_architecture.md': [
        '# KB_01 — T',
        '## NoSources\n\nVerified: 2026-01-01\n\nText.',
        '## NoDate\n\nSources: https://a.example/x\n\nText.',
        '## BadDate\n\nSources: https://a.example/x\nVerified: 2026-02-30\n\nText.',
        '## HttpSource\n\nSources: http://a.example/x\nVerified: 2026-01-01\n\nText.',
        '## SpaceSeparated\n\nSources: https://a.example/x https://b.example/y\nVerified: 2026-01-01\n\nText.',
        '## EmptySources\n\nSources:\nVerified: 2026-01-01\n\nText.',
        '## AtTheEnd\n\nText.\n\nSources: https://a.example/x\nVerified: 2026-01-01',
        '## Good\n\nSources: https://a.example/x\nVerified: 2026-01-01\n\nText.',
      ].join('\n\n'),
    });
    const problems = bad.problems().map((p) => `${p.trace}: ${p.message}`);
    expect(problems).toEqual([
      "KB_01#AtTheEnd: the 'Sources:' and 'Verified:' lines must come first, right under the heading",
      "KB_01#BadDate: 'Verified: 2026-02-30' is not a calendar date (expected YYYY-MM-DD)",
      "KB_01#EmptySources: 'Sources:' names no source",
      "KB_01#HttpSource: source 'http://a.example/x' is not an https URL (separate sources with '; ')",
      "KB_01#NoDate: expected one 'Verified: YYYY-MM-DD' line, found 0",
      "KB_01#NoSources: expected one 'Sources: <url>; <url>' line, found 0",
      "KB_01#SpaceSeparated: source 'https://a.example/x https://b.example/y' is not an https URL (separate sources with '; ')",
    ]);
  });

  it('measures ages in calendar days, weeks, months and years', () => {
    expect(dateBefore('2026-11-30', parseKbAge('1y'))).toBe('2025-11-30');
    expect(dateBefore('2026-03-31', parseKbAge('1m'))).toBe('2026-02-28');
    expect(dateBefore('2024-03-31', parseKbAge('1m'))).toBe('2024-02-29');
    expect(dateBefore('2026-01-05', parseKbAge('2w'))).toBe('2025-12-22');
    expect(dateBefore('2026-11-30', parseKbAge('6m'))).toBe('2026-05-30');
    expect(dateBefore('2026-03-01', parseKbAge('1d'))).toBe('2026-02-28');
    for (const bad of ['6', '6 m', '-1m', '1.5y', '0d', 'm', '6M']) expect(() => parseKbAge(bad), bad).toThrow(/--older-than: expected a positive age/);
  });

  it('lists sections verified before a cutoff, oldest first, and takes the plan reference date from RINGMASTER_AS_OF or the KB', () => {
    const latest = latestVerified(kb);
    expect(isIsoDate(latest)).toBe(true);
    expect(sectionsVerifiedBefore(kb, '2000-01-01')).toEqual([]);
    const all = sectionsVerifiedBefore(kb, '2999-01-01');
    expect(all).toHaveLength(kb.traces().length);
    expect(all.map((s) => s.verified)).toEqual(all.map((s) => s.verified).sort());
    expect(planReferenceDate(kb, {})).toBe(latest);
    expect(planReferenceDate(kb, { RINGMASTER_AS_OF: '2027-06-01' })).toBe('2027-06-01');
    expect(() => planReferenceDate(kb, { RINGMASTER_AS_OF: '2027-13-01' })).toThrow("RINGMASTER_AS_OF: expected a calendar date YYYY-MM-DD, found '2027-13-01'");
  });
});
