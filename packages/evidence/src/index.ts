export { canonicalJson } from './canonical.js';
export { GENESIS_HASH, hashEvent, sealEvent, STEP_DONE_TYPES, verifyChain } from './chain.js';
export type { ActionData, ChainVerification, EventBody, EvidenceEvent, EvidenceEventType } from './chain.js';
export { actionDataIssue, BUNDLE_FORMAT, buildBundle, parseMinutes, signBundle, verifyBundle, verifyEvents } from './bundle.js';
export type { BundleAction, BundleVerification, DrillResult, EvidenceBundle, IncidentMetricName, IncidentMetrics, RunKind, RunOpenedData, SignatureCheck, VerifyOptions } from './bundle.js';
export { generateSigningKey, keyId, parsePublicKey, parseSigningKey, privateKeyPem, publicKeyPem, SIGNATURE_ALGORITHM } from './signature.js';
export type { BundleSignature, SigningKey } from './signature.js';
export { eventLogText, EventLogError, extendLog, parseEventLog, verifyEventLog } from './log.js';
export type { EventLogVerification } from './log.js';
