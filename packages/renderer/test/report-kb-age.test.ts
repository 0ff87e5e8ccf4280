import { loadKnowledgeBase } from '@ringmaster/core';
import { afterEach, describe, expect, it } from 'vitest';
import { renderReport } from '../src/report.js';
import { SAMPLE_OUTPUT } from './sample-plan.js';

const HEADING = '## Advice resting on old knowledge';

describe('report: advice resting on old knowledge', () => {
  afterEach(() => {
    delete process.env['RINGMASTER_AS_OF'];
  });

  it('notes nothing when every cited section was verified within a year of the KB\'s latest review', () => {
    expect(renderReport(SAMPLE_OUTPUT)).not.toContain(HEADING);
  });

  it('lists exactly the cited sections verified more than a year before RINGMASTER_AS_OF', () => {
    const kb = loadKnowledgeBase();
    const verified = SAMPLE_OUTPUT.kb_references.map((t) => [t, kb.get(t)?.verified ?? ''] as const);
    const oldest = verified.map(([, v]) => v).sort()[0] ?? '';
    // One day more than a year after the oldest cited section: that section (and any as old) is due, newer ones are not.
    const [y, m, d] = oldest.split('-').map(Number) as [number, number, number];
    process.env['RINGMASTER_AS_OF'] = new Date(Date.UTC(y + 1, m - 1, d + 1)).toISOString().slice(0, 10);
    const report = renderReport(SAMPLE_OUTPUT);
    expect(report).toContain(HEADING);
    const noted = report.slice(report.indexOf(HEADING)).split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2).split(':')[0]);
    expect(noted).toEqual(verified.filter(([, v]) => v === oldest).map(([t]) => t).sort());
    expect(report).toMatch(/- KB_\d{2}#\w+: verified \d{4}-\d{2}-\d{2}; sources: https:\/\//);
  });

  it('is the same on every run for the same inputs (no clock)', () => {
    process.env['RINGMASTER_AS_OF'] = '2030-01-01';
    expect(renderReport(SAMPLE_OUTPUT)).toBe(renderReport(SAMPLE_OUTPUT));
  });

  it('refuses a malformed RINGMASTER_AS_OF, naming it', () => {
    process.env['RINGMASTER_AS_OF'] = 'next year';
    expect(() => renderReport(SAMPLE_OUTPUT)).toThrow("RINGMASTER_AS_OF: expected a calendar date YYYY-MM-DD, found 'next year'");
  });
});
