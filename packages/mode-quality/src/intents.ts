import type { IntentTable } from '@ringmaster/core';

/** How people ask for test quality, and the symptoms of unreliable tests. Phrase syntax: see intent.ts in core. */
export const qualityIntents: IntentTable = {
  outcome: 'quality gates: a test pyramid, flaky-test quarantine and contract tests',
  intents: [
    {
      means: 'unreliable tests',
      pain: 'flaky_tests',
      phrases: ['flak*', 'intermittent* fail*', 'random* fail*', 'fail* random*', 'fail* intermittent*', 'fail* ... sometimes', 'red build*', 'build* ... red', 'build* ... green ... red', 'rerun*', 're run*', 'retry ... until ... green', 'retries', 'nondeterministic', 'non deterministic', 'heisenbug*', 'pass* on ... retry', 'pass* locally'],
    },
    {
      means: 'bugs reaching production',
      phrases: ['bug* ... escap*', 'bug* ... reach* ... prod*', 'bug* ... in prod*', 'bug* ... slip*', 'regress*', 'catch ... bug*', 'catch ... earlier', 'unit test*', 'code coverage', 'qa team', 'manual qa', 'manual test*', 'e2e', 'end to end', 'playwright', 'cypress', 'selenium'],
    },
    {
      means: 'integrations and APIs that break',
      phrases: ['broke* ... integration*', 'integration* ... break*', 'partner api*', 'third party api*', 'external api*', 'vendor api*', 'salesforce', 'hubspot', 'zendesk', 'stripe', 'webhook*', 'break* ... client*', 'break* ... consumer*', 'breaking change*', 'api ... chang* ... break*', 'rate limit*'],
    },
  ],
  // Testing a restore or a failover is a DR drill; an A/B test is an experiment; CI is not an integration test.
  falseFriends: ['continuous integration', 'test* ... backup*', 'test* ... restor*', 'test* ... failover*', 'test* ... fail* over', 'test* ... dr', 'test* ... disaster*', 'pen test*', 'pentest*', 'penetration test*', 'ab test*', 'a b test*', 'test ... on ... customer*', 'test ... on ... user*', 'contract* ... vendor*', 'contract* ... renew*', 'contract* ... sign*'],
};
