import { rollbackChecklist } from '@ringmaster/modes';
import { escapeText, inlineCode, mrkdwn } from '../slack-text.js';
import { defineFlow, refuse, SERVICE_RE, VERSION_RE } from './flow.js';

/** Rollback to a previously promoted signed digest. */
export const rollbackFlow = defineFlow<{ service: string; version?: string }>({
  command: 'rollback',
  usage: '<service> [version|digest]',
  description: 'roll back to a previously promoted signed digest',
  kind: 'rollback',
  mode: 'incident',
  parse([service, version, ...extra]) {
    if (!service || !SERVICE_RE.test(service) || extra.length) return refuse(escapeText('`rollback` takes a service and an optional version or digest, e.g. `/release rollback payments sha256:4f1c...`.'));
    if (version !== undefined && !VERSION_RE.test(version)) return refuse(mrkdwn`${inlineCode(version.slice(0, 40))} is not a version or digest.`);
    return { ok: true, args: { service, ...(version ? { version } : {}) } };
  },
  plan({ service, version }) {
    const params = { service, ...(version ? { version } : {}) };
    return { checklist: rollbackChecklist(params), params };
  },
  riskTier: () => 'high',
  evidence: {},
});
