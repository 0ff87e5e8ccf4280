import type { IntentTable } from '@ringmaster/core';

/** How people ask for incident response, and the symptoms of lacking it. Phrase syntax: see intent.ts in core. */
export const incidentIntents: IntentTable = {
  outcome: 'incident response: on-call, severities, break-glass hotfixes and post-mortems',
  intents: [
    {
      means: 'paged at night',
      pain: 'incidents',
      phrases: ['pager*', 'paged', 'page* ... at night', 'page* ... night*', 'woke* ... up', 'wake* ... up', 'wakes', 'middle of the night', '# am', 'weekend* ... pag*', 'on call', 'oncall', 'burn* out', 'burnout', 'firefight*', 'fire fight*', 'all hands on deck', 'war room', 'sev #', 'p0', 'p1', 'major incident*'],
    },
    {
      means: 'production down',
      pain: 'incidents',
      phrases: ['outage*', 'site ... down', 'prod* ... down', 'went down', 'goes down', 'keeps going down', 'downtime', 'took ... down', 'crash*', 'service disruption*'],
    },
    {
      means: 'fixing production fast',
      phrases: ['hotfix*', 'hot fix*', 'urgent fix*', 'emergency', 'fix ... prod* ... fast', 'fix ... prod* ... quickly', 'patch prod* ... quick*', 'bypass ... review*', 'skip ... approval*', 'skip ... pipeline*', 'time to recover', 'time to restore', 'mttr', 'recover* ... faster', 'blameless', 'root cause*', 'rca', 'escalat*', 'runbook*', 'who to call'],
    },
  ],
  // A rollback that a canary does by itself is progressive delivery, not an incident procedure.
  falseFriends: ['automat* rollback*', 'auto rollback*', 'automat* roll* back', 'roll* back automatic*', 'rollback script*', 'rollback strateg*', 'schema rollback*', 'migration rollback*', 'crash course', 'crash loop* ... pod*'],
};
