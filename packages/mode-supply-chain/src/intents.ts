import type { IntentTable } from '@ringmaster/core';

/** How people ask for a secure supply chain and audit evidence, and their symptoms. Phrase syntax: see intent.ts in core. */
export const supplyChainIntents: IntentTable = {
  outcome: 'a secure supply chain: OIDC instead of stored keys, signed builds, provenance and audit evidence',
  intents: [
    {
      means: 'stored long-lived credentials',
      phrases: ['long lived ... key*', 'long lived ... credential*', 'long lived ... token*', 'static ... key*', 'static ... credential*', 'access key*', 'api key*', 'aws key*', 'key* ... in ... github', 'key* ... in ... ci', 'key* ... in ... repo*', 'hard coded ... password*', 'hard coded ... key*', 'hard coded ... token*', 'hardcoded', 'password* ... in ... repo*', 'password* ... in ... git', 'leak* ... key*', 'leak* ... token*', 'leak* ... credential*', 'key* ... leak*', 'token* ... leak*', 'rotate ... key*', 'key rotation', 'service account key*', 'personal access token*'],
    },
    {
      means: 'compromised builds or runners',
      pain: 'runner_risk',
      phrases: ['compromis* ... build*', 'compromis* ... runner*', 'compromis* ... agent*', 'runner* ... compromis*', 'build* server* ... compromis*', 'hack* ... runner*', 'hack* ... build*', 'malicious ... pull request*', 'crypto min*', 'cryptomin*', 'solarwinds', 'codecov', 'xz', 'backdoor*', 'privileged runner*', 'runner* ... root', 'shared runner*'],
    },
    {
      means: 'proof of what was built',
      phrases: ['who built', 'what ... is in ... image*', 'trace ... image* ... commit*', 'trace ... artifact* ... commit*', 'artifact integrity', 'software bill of material*', 'image sign*', 'container sign*', 'unsigned image*', 'verify ... image*', 'verify ... artifact*', 'trusted build*', 'reproducible build*'],
    },
    {
      means: 'audit evidence',
      pain: 'audit_findings',
      phrases: ['audit finding*', 'fail* ... audit*', 'audit* ... fail*', 'auditor* ... ask*', 'auditor* ... want*', 'pass ... audit*', 'prove ... to ... auditor*', 'prove ... who', 'audit trail', 'sox', 'fedramp', 'segregation of duties', 'separation of duties', 'who approved', 'change management evidence', 'soc 2', 'iso 27001', 'soc2 type'],
    },
  ],
  falseFriends: ['sign off', 'signoff', 'signed off', 'sign up', 'signup*', 'sign in', 'signin', 'single sign on', 'customer retention', 'user retention', 'retention rate*', 'data integrity', 'referential integrity', 'security polic* ... vuln*'],
};
