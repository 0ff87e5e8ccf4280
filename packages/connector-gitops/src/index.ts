export { GitOpsFailedError, GitOpsInputError } from './errors.js';
export { credentialsFromEnv, GIT_ENV, type GitCredentials } from './git.js';
export { actionEvidence, signatureEvidence } from './evidence.js';
export { signerOfPlanDir } from './plan-signer.js';
export { cosignVerifier, cosignVerifyArgs, SignatureRefusedError, type CosignOptions, type SignatureCheck, type SignatureVerifier, type Signer } from './signature.js';
export { DEFAULT_API_URL, type ReviewOptions, type ReviewRequest } from './review.js';
export { discoverPromotionFiles, promotionFilesOf, type PromotionFile } from './layout.js';
export {
  openGitOpsRepository,
  type ActionResult,
  type FileSelector,
  type GitOpsRepository,
  type GitRepositoryOptions,
  type Promotion,
  type PromoteRequest,
  type RollbackRequest,
} from './repository.js';
