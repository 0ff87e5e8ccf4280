import { describe, expect, it } from 'vitest';
import type { PlanOutput } from '@ringmaster/core';
import { explainModes, renderReport } from '../src/index.js';
import { SAMPLE_OUTPUT } from './sample-plan.js';

describe('explaining the modes', () => {
  const withConsidered = (): PlanOutput => {
    const output = structuredClone(SAMPLE_OUTPUT);
    output.decision_log.considered = [
      { id: 'blueprint', engaged: true, score: 0.9, signals: ['goal:"pipeline"', 'profile:multi_tenant'], ignored: [] },
      { id: 'finops', engaged: false, score: 0, signals: [], ignored: ['"billing": part of "billing change", which means something else'] },
      { id: 'dr', engaged: false, score: 0.3, signals: ['pain:incidents'], ignored: [] },
    ];
    return output;
  };

  it('gives each mode considered its verdict and reasons', () => {
    expect(explainModes(withConsidered())).toEqual([
      'blueprint: engaged (score 0.9): the goal says "pipeline"; profile:multi_tenant',
      'finops: not engaged (score 0, below 0.5): nothing in the goal or the profile points to it; set aside: "billing": part of "billing change", which means something else',
      'dr: not engaged (score 0.3, below 0.5): pain:incidents',
    ]);
  });

  it('the report has a "Modes considered" section when the plan has them, and none for older plans', () => {
    expect(renderReport(withConsidered())).toContain('## Modes considered\n\n- blueprint: engaged (score 0.9)');
    expect(renderReport(SAMPLE_OUTPUT)).not.toContain('## Modes considered');
  });
});
