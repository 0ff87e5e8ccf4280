import type { IntentTable } from '@ringmaster/core';

/** How people ask about CI/cloud cost, and its symptoms. Phrase syntax: see intent.ts in core. */
export const finopsIntents: IntentTable = {
  outcome: 'lower CI and cloud cost: budgets, tags, preview TTLs and spot capacity',
  intents: [
    {
      means: 'the bill went up',
      pain: 'costs',
      phrases: ['bill ... doubl*', 'bill ... tripl*', 'bill ... went up', 'bill ... up', 'bill ... high', 'bill ... spik*', 'bill ... explod*', 'bill ... jump*', 'bill ... grow*', 'aws bill', 'cloud bill', 'gcp bill', 'azure bill', 'ci bill', 'invoice*', 'spend* ... doubl*', 'spend* ... too much', 'pay* too much', 'paying ... for', 'money', 'dollar*', 'burn* ... cash', 'cfo', 'finance ... ask*', 'too expensive', 'cheaper', 'cut ... cost*', 'cut ... spend*', 'reduce ... spend*', 'lower ... cost*'],
    },
    {
      means: 'waste in CI and environments',
      pain: 'costs',
      phrases: ['waste*', 'wasted', 'idle', 'unused', 'orphan*', 'zombie', 'left running', 'run* ... all weekend', 'run* ... overnight', 'runner minutes', 'ci minutes', 'build minutes', 'spot instance*', 'spot node*', 'reserved instance*', 'rightsiz*', 'right siz*', 'chargeback', 'showback', 'cost allocation', 'tag* ... resource*', 'untagged'],
    },
  ],
  // A billing or pricing feature is a change to ship, not a cost problem.
  falseFriends: [
    'billing change*', 'billing feature*', 'billing service*', 'billing system*', 'billing module*', 'billing api*', 'billing code', 'billing team*',
    'billing flow*', 'billing page*', 'billing integration*', 'billing database*', 'billing db', 'billing schema*', 'billing table*', 'billing migration*',
    'billing provider*', 'billing engine*', 'billing app*', 'billing microservice*', 'billing platform*', 'billing logic', 'billing job*', 'billing cycle*',
    'billing run*', 'billing data', 'billing address*', 'billing portal*', 'billing workflow*', 'billing release*', 'billing deploy*', 'billing update*',
    'billing rewrite', 'billing v #', 'new billing', 'pricing page*', 'pricing change*', 'pricing experiment*', 'pricing tier*', 'pricing model*', 'pricing plan*',
    'price change*', 'error budget*', 'bill of material*', 'at all cost*', 'cost of delay', 'dollar amount*', 'money movement', 'payment*',
  ],
};
