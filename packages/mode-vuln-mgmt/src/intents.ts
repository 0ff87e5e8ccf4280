import type { IntentTable } from '@ringmaster/core';

/** How people ask for vulnerability handling, and the symptoms of a backlog. Phrase syntax: see intent.ts in core. */
export const vulnMgmtIntents: IntentTable = {
  outcome: 'vulnerability handling: KEV/EPSS priorities, fix SLAs, scanner gates and exceptions',
  intents: [
    {
      means: 'a vulnerability backlog',
      pain: 'vuln_debt',
      phrases: ['dependabot', 'renovate', 'snyk', 'cve backlog', 'too many cve*', 'hundreds of ... alert*', 'thousands of ... alert*', 'hundreds of ... finding*', 'thousands of ... finding*', 'security backlog', 'security debt', 'security alert*', 'security finding*', 'pen test finding*', 'pentest finding*', 'penetration test*', 'pen test*', 'pentest*', 'outdated dependenc*', 'old dependenc*', 'vulnerable dependenc*', 'vulnerable package*', 'vulnerable librar*', 'outdated base image*', 'old base image*', 'unpatched', 'out of date librar*'],
    },
    {
      means: 'which security fix first',
      phrases: ['which ... fix first', 'what ... fix first', 'prioriti* ... fix*', 'prioriti* ... cve*', 'prioriti* ... finding*', 'prioriti* ... alert*', 'triage ... cve*', 'triage ... finding*', 'triage ... alert*', 'triage ... vuln*', 'log4j', 'log4shell', 'openssl', 'heartbleed', 'zero day*', 'actively exploited', 'security patch*', 'container scan*', 'image scan*', 'dependency scan*'],
    },
  ],
  falseFriends: ['patch release*', 'patch version*', 'semver patch*', 'scan* ... qr', 'scan* ... document*', 'scan* ... receipt*'],
};
