import type { IntentTable } from '@ringmaster/core';

/** How people ask for disaster recovery, and the disasters they fear. Phrase syntax: see intent.ts in core. */
export const drIntents: IntentTable = {
  outcome: 'disaster recovery: RPO/RTO targets, restore drills and failover',
  intents: [
    {
      means: 'a region or data centre lost',
      phrases: ['lose ... region*', 'region* ... go* down', 'region* ... down', 'region* ... outage*', 'region* ... fail*', 'regional outage*', 'region wide', 'region* ... disappear*', 'region* ... evacuat*', 'data center*', 'datacenter*', 'availability zone*', 'az ... outage*', 'az ... fail*', 'multi region', 'second region', 'another region', 'cross region', 'active active', 'active passive', 'hot standby', 'warm standby', 'cold standby', 'standby', 'aws ... go* down', 'cloud ... go* down', 'provider ... go* down', 'cloud provider outage*'],
    },
    {
      means: 'data lost or corrupted',
      phrases: ['lose ... data', 'lost ... data', 'data loss', 'accidental* delet*', 'delet* ... by accident', 'drop* ... prod* ... table*', 'drop* ... prod* ... database*', 'ransomware', 'corrupt*', 'snapshot*', 'point in time', 'pitr', 'replica*', 'replicat*'],
    },
    {
      means: 'staying up through a disaster',
      phrases: ['business continuity', 'survive', 'catastroph*', 'worst case', 'how fast ... back', 'how long ... back', 'get* back online', 'come* back online', 'back online', 'doomsday', 'earthquake', 'flood*', 'fire in'],
    },
  ],
  falseFriends: ['back up and running', 'back up again', 'backed up queue*', 'restor* ... confidence', 'restor* ... trust', 'restor* ... faith', 'recover* ... flaky', 'drill down', 'drill* into'],
};
