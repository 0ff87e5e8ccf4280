import type { IntentTable } from '@ringmaster/core';

/** How people ask for safer rollouts, and the symptoms of risky ones. Phrase syntax: see intent.ts in core. */
export const progressiveDeliveryIntents: IntentTable = {
  outcome: 'safer rollouts: canaries, rings, feature flags and automatic rollback',
  intents: [
    {
      means: 'releases break production',
      pain: 'incidents',
      phrases: ['take* ... site down', 'take* ... down', 'bring* ... down', 'brought ... down', 'break* prod*', 'broke* prod*', 'deploy* ... break*', 'release* ... break*', 'deploy* ... broke*', 'release* ... broke*', 'deploy* ... outage*', 'release* ... outage*', 'deploy* ... caus* ... incident*', 'release* ... caus* ... incident*', 'bad deploy*', 'bad release*', 'broken release*', 'broken deploy*', 'failed deploy*', 'failed release*', 'risky deploy*', 'risky release*', 'incident* caus* by ... deploy*', 'incident* caus* by ... release*', 'outage* caus* by ... deploy*', 'outage* caus* by ... release*'],
    },
    {
      means: 'fear of deploying',
      phrases: ['scared to deploy', 'scared to release', 'afraid to deploy', 'afraid to release', 'fear ... deploy*', 'fear ... release*', 'nervous ... deploy*', 'nervous ... release*', 'big bang', 'blast radius', 'friday deploy*', 'deploy* on friday*', 'safer deploy*', 'safer release*', 'safely deploy', 'safely release', 'safely ship', 'ship ... safely', 'deploy ... safely', 'release ... safely', 'de risk*', 'derisk*', 'without break*', 'without tak* ... down', 'deploy* more often', 'release* more often', 'deploy* ... # times a day'],
    },
    {
      means: 'exposure to a few users first',
      phrases: ['handful of ... customer*', 'handful of ... user*', 'handful of ... tenant*', 'few customer* first', 'few tenant* first', 'few user* first', 'some customer* first', 'subset of ... customer*', 'subset of ... user*', 'subset of ... tenant*', 'small ... group of ... user*', 'small ... group of ... customer*', 'percent* of ... traffic', 'percent* of ... user*', 'of ... traffic first', 'beta customer*', 'beta user*', 'beta tenant*', 'early access', 'early adopter*', 'pilot customer*', 'pilot tenant*', 'pilot group*', 'internal user* first', 'staff first', 'employees first', 'dogfood*', 'gradual*', 'incremental* roll*', 'staged roll*', 'phased roll*', 'slowly roll*', 'roll* ... gradually', 'a b test*', 'ab test*', 'in waves', 'in stages', 'wave by wave', 'tenant by tenant', 'region by region', 'customer by customer', 'try ... on ... customer*', 'try ... on ... user*', 'test ... on ... customer*', 'expose ... to'],
    },
    {
      means: 'undo a bad release automatically',
      phrases: ['automat* rollback*', 'auto rollback*', 'automat* roll* back', 'roll* back automatic*', 'undo ... release*', 'undo ... deploy*', 'revert ... quickly', 'kill switch*', 'decouple deploy* ... release*', 'separate deploy* ... release*', 'release ... without deploy*'],
    },
    {
      means: 'deploys without downtime',
      weight: 0.6,
      phrases: ['without downtime', 'no downtime', 'zero downtime', 'downtime free', 'without ... outage*', 'without ... maintenance window*', 'no maintenance window*'],
    },
  ],
};
