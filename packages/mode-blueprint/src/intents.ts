import type { IntentTable } from '@ringmaster/core';

/** How people ask for a delivery pipeline, and its symptoms. Phrase syntax: see intent.ts in core. */
export const blueprintIntents: IntentTable = {
  outcome: 'a CI/CD pipeline from commit to production',
  intents: [
    {
      means: 'a pipeline to build and ship',
      phrases: ['ci cd', 'set up', 'path to prod*', 'ship ... to prod*', 'get ... code ... to prod*', 'go live', 'greenfield', 'from scratch', 'new service', 'bootstrap*', 'monorepo', 'trunk based', 'merge ... to main', 'release process', 'release train', 'github action*', 'gitlab ci', 'azure devops', 'jenkins*'],
    },
    {
      means: 'slow pipeline',
      pain: 'pipeline_slow',
      phrases: ['slow build*', 'slow pipeline*', 'slow ci', 'build* ... slow', 'pipeline* ... slow', 'ci ... slow', 'build* take* ... hour*', 'build* take* ... minute*', 'take* forever', 'wait* ... for ci', 'wait* ... for ... build*', 'speed up ... build*', 'speed up ... pipeline*', 'speed up ... ci', 'faster build*', 'faster pipeline*', 'faster ci', 'lead time'],
    },
    {
      means: 'manual releases',
      pain: 'manual_toil',
      phrases: ['manual* deploy*', 'manual* release*', 'deploy* ... by hand', 'release* ... by hand', 'copy* ... file* ... server*', 'ftp', 'release checklist* ... by hand', 'toil'],
    },
    {
      means: 'data residency per region',
      phrases: ['data ... stay* in', 'keep* ... data in', 'data sovereignty', 'eu customer*', 'eu tenant*', 'eu data', 'per tenant'],
    },
  ],
  // "region" is a residency word here; a region lost or failed over is disaster recovery.
  falseFriends: ['lose ... region*', 'region* ... go* down', 'region* ... down', 'region* ... outage*', 'region* ... fail*', 'regional outage*', 'multi region', 'second region', 'another region', 'cross region', 'region* ... evacuat*', 'build* trust', 'build* confidence', 'region* ... disappear*'],
};
