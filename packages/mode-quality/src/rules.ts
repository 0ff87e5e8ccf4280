import { matchKeywords, type ModeContext, type Rule } from '@ringmaster/core';

/** Goal words that say flaky tests are the problem. */
export const FLAKY_WORDS = ['flak*', 'flaky', 'intermittent*', 'nondetermin*', 'quarantin*'] as const;

const hasIntegrations = ({ profile }: ModeContext): boolean => profile.crm.integrations.length > 0;
/** Flaky tests are a stated pain or the goal's subject. */
export const flakyEvidence = (ctx: ModeContext): boolean =>
  ctx.profile.current_pain.includes('flaky_tests') || matchKeywords(ctx.intent, FLAKY_WORDS).length > 0;
const endToEndWanted = (ctx: ModeContext): boolean => matchKeywords(ctx.intent, ['e2e', 'end to end', 'ui', 'playwright', 'regression*']).length > 0;

/** Mode 2's decisions, one row each; the first matching row of a field wins. */
export const qualityRules: readonly Rule[] = [
  {
    id: 'quality/test-levels-e2e',
    field: 'quality_strategy.test_levels',
    when: (ctx) => hasIntegrations(ctx) && endToEndWanted(ctx),
    value: ['unit', 'integration', 'contract', 'e2e'],
    why: 'Integrations need contract tests between unit and integration levels, and the goal asks for end-to-end coverage, kept to a thin smoke suite at the top of the pyramid.',
    kb: ['KB_03#Test_Pyramid', 'KB_09#Contract_Testing'],
  },
  {
    id: 'quality/test-levels-integrations',
    field: 'quality_strategy.test_levels',
    when: hasIntegrations,
    value: ['unit', 'integration', 'contract', 'smoke'],
    why: 'Every external integration gets a contract test so that API drift fails in CI, not in production; a post-deploy smoke suite tops the pyramid.',
    kb: ['KB_03#Test_Pyramid', 'KB_09#Contract_Testing'],
  },
  {
    id: 'quality/test-levels-default',
    field: 'quality_strategy.test_levels',
    value: ['unit', 'integration', 'smoke'],
    why: 'Most tests stay fast and isolated (unit), fewer cover wiring (integration), and a small smoke suite checks each deployment.',
    kb: ['KB_03#Test_Pyramid'],
  },
  {
    id: 'quality/contract-testing-integrations',
    field: 'quality_strategy.contract_testing',
    when: hasIntegrations,
    value: true,
    why: 'The profile lists external integrations: Pact verification with can-i-deploy catches a breaking API change before release.',
    kb: ['KB_09#Contract_Testing'],
  },
  {
    id: 'quality/contract-testing-none',
    field: 'quality_strategy.contract_testing',
    value: false,
    why: 'No external integrations are listed, so there is no consumer/provider pair for a contract test to protect.',
    kb: ['KB_09#Contract_Testing'],
  },
  {
    id: 'quality/flaky-quarantine-detected',
    field: 'quality_strategy.flaky_policy',
    when: flakyEvidence,
    value: 'quarantine',
    why: 'Flaky tests are a stated pain: each one moves to a tracked flaky spec within a day, runs non-blocking with an owner and a 14-day deadline, and the blocking gate stays trustworthy.',
    kb: ['KB_03#Flaky_Management'],
  },
  {
    id: 'quality/flaky-quarantine-default',
    field: 'quality_strategy.flaky_policy',
    value: 'quarantine',
    why: 'Retries hide flakiness; quarantine is the standing policy so that a flaky test never blocks or silently passes the gate.',
    kb: ['KB_03#Flaky_Management'],
  },
  {
    id: 'quality/blocking-flaky-budget',
    field: 'quality_strategy.blocking_flaky_budget',
    value: '0%',
    why: "Mode 2's validation: zero flaky tests in the blocking gate, otherwise teams learn to ignore red builds.",
    kb: ['KB_03#Flaky_Management'],
  },
  {
    id: 'quality/result-format-junit',
    field: 'quality_strategy.result_format',
    value: 'junit_xml',
    why: 'JUnit XML is read by every CI system, feeds flake tracking, and is audit evidence that the released commit was tested.',
    kb: ['KB_03#Test_Results'],
  },
  {
    id: 'quality/static-analysis-sonarqube',
    field: 'quality_strategy.static_analysis',
    value: 'sonarqube',
    why: 'Spec step 2: lint and static analysis (SonarQube quality gate on new code) run before slower test levels.',
    kb: ['KB_03#Test_Pyramid'],
  },
  {
    id: 'quality/service-virtualization-wiremock',
    field: 'quality_strategy.service_virtualization',
    when: hasIntegrations,
    value: 'wiremock',
    why: 'Integration tests run against WireMock stubs of the partner APIs, including 429 responses, so they are fast, deterministic and never burn partner rate limits.',
    kb: ['KB_09#Service_Virtualization'],
  },
  {
    id: 'quality/service-virtualization-none',
    field: 'quality_strategy.service_virtualization',
    value: 'none',
    why: 'No external integrations are listed, so there is no third-party API to stub.',
    kb: ['KB_09#Service_Virtualization'],
  },
];
