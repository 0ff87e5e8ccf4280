import { promotionChecklist } from '@ringmaster/modes';
import { escapeText } from '../slack-text.js';
import { defineFlow, refuse, SERVICE_RE, VERSION_RE } from './flow.js';

const RING_RE = /^[A-Za-z0-9][A-Za-z0-9 ._%-]{0,40}$/;

/** Release captain promotion (spec Mode 6), ring by ring with bake times. */
export const promoteFlow = defineFlow<{ service: string; version: string; rings?: string[] }>({
  command: 'promote',
  usage: '<service> <version> [ring1,ring2,...]',
  description: 'release captain promotion, ring by ring',
  kind: 'promotion',
  mode: 'progressive-delivery',
  parse([service, version, rings, ...extra]) {
    if (!service || !version || !SERVICE_RE.test(service) || !VERSION_RE.test(version) || extra.length) {
      return refuse(escapeText('`promote` needs a service and a version, e.g. `/release promote payments 1.42.0 internal,canary,ga`.'));
    }
    const list = rings?.split(',').map((r) => r.trim()).filter(Boolean);
    if (list && (list.length === 0 || list.length > 12 || !list.every((r) => RING_RE.test(r)))) return refuse(escapeText('Rings are a comma-separated list of up to 12 names.'));
    return { ok: true, args: { service, version, ...(list ? { rings: list } : {}) } };
  },
  plan({ service, version, rings }, { defaultRings }) {
    const params = { service, version, rings: rings ?? [...defaultRings] };
    return { checklist: promotionChecklist(params), params };
  },
  riskTier: () => 'unknown',
  evidence: {},
});
