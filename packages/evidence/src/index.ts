export { canonicalJson } from './canonical.js';
export { GENESIS_HASH, hashEvent, sealEvent, verifyChain } from './chain.js';
export type { ChainVerification, EventBody, EvidenceEvent, EvidenceEventType } from './chain.js';
export { BUNDLE_FORMAT, buildBundle, parseMinutes, verifyBundle } from './bundle.js';
export type { BundleVerification, DrillResult, EvidenceBundle, IncidentMetrics, RunKind, RunOpenedData } from './bundle.js';
