import { incidentChecklist } from '@ringmaster/modes';
import { escapeText } from '../slack-text.js';
import { defineFlow, refuse, SERVICE_RE } from './flow.js';

type Severity = 'sev1' | 'sev2' | 'sev3';
const SEVERITY_TIER: Readonly<Record<Severity, string>> = { sev1: 'high', sev2: 'medium', sev3: 'low' };

/** Incident response (spec Mode 8), with MTTA/MTTR and a post-mortem draft. */
export const incidentFlow = defineFlow<{ service: string; severity: Severity; summary?: string }>({
  command: 'incident',
  usage: '<service> [sev1|sev2|sev3] [summary]',
  description: 'incident response checklist',
  kind: 'incident',
  mode: 'incident',
  parse([service, maybeSev, ...rest]) {
    if (!service || !SERVICE_RE.test(service)) return refuse(escapeText('`incident` needs a service name, e.g. `/release incident payments sev1 checkout errors`.'));
    const isSev = maybeSev !== undefined && /^sev[123]$/i.test(maybeSev);
    const severity = (isSev ? maybeSev.toLowerCase() : 'sev2') as Severity;
    const summary = (isSev ? rest : [maybeSev, ...rest].filter((w): w is string => w !== undefined)).join(' ').trim();
    return { ok: true, args: { service, severity, ...(summary ? { summary } : {}) } };
  },
  plan({ service, severity, summary }) {
    const params = { service, severity, ...(summary ? { summary } : {}) };
    return { checklist: incidentChecklist(params), params };
  },
  riskTier: (params) => SEVERITY_TIER[params['severity'] as Severity] ?? 'unknown',
  evidence: { files: ['post-mortem draft'] },
});
