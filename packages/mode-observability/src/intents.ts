import type { IntentTable } from '@ringmaster/core';

/** How people ask to see what a release does, and the symptoms of not seeing it. Phrase syntax: see intent.ts in core. */
export const observabilityIntents: IntentTable = {
  outcome: 'release observability: SLOs, burn-rate alerts and release markers',
  intents: [
    {
      means: 'releases hurt production unseen',
      weight: 0.6,
      phrases: ['take* ... site down', 'take* ... down', 'bring* ... down', 'brought ... down', 'break* prod*', 'broke* prod*', 'deploy* ... break*', 'release* ... break*', 'bad deploy*', 'bad release*', 'which deploy* ... broke', 'which release* ... broke', 'which deploy* ... caus*', 'which release* ... caus*', 'what changed'],
    },
    {
      means: 'blind to production',
      pain: 'incidents',
      phrases: ['customer* ... tell us', 'customer* find out', 'customer* notic*', 'before we do', 'before we notice', 'before we know', 'customer* ... report* ... before', 'find out ... from ... customer*', 'hear ... from ... customer*', 'learn ... from ... customer*', 'user* ... complain*', 'customer* ... complain*', 'on twitter', 'no visibility', 'visibility', 'nobody notic*', 'notice* ... late', 'notice* ... hour* later', 'slow to notice', 'detect ... faster', 'time to detect', 'mttd', 'flying blind', 'blind'],
    },
    {
      means: 'noisy or missing alerts',
      phrases: ['noisy alert*', 'alert fatigue', 'too many alert*', 'false alarm*', 'page* ... for nothing', 'logs', 'logging', 'log aggregation', 'grafana', 'prometheus', 'datadog', 'new relic', 'honeycomb', 'latency', 'error rate*', 'uptime', 'availability target*', 'dora metric*', 'p99', 'p95', 'nines'],
    },
  ],
  falseFriends: ['billing alert*', 'budget alert*', 'cost alert*', 'spend alert*', 'login', 'logins', 'log in', 'audit log*', 'change log*', 'changelog*', 'blind spot* in ... audit*'],
};
