export { GitOpsFailedError, GitOpsInputError } from './errors.js';
export { credentialsFromEnv, GIT_ENV, type GitCredentials } from './git.js';
export { DEFAULT_API_URL, type ReviewOptions, type ReviewRequest } from './review.js';
export { discoverPromotionFiles, promotionFilesOf, type PromotionFile } from './layout.js';
export {
  openGitOpsRepository,
  type ActionResult,
  type GitOpsRepository,
  type GitRepositoryOptions,
  type Promotion,
  type PromoteRequest,
  type RollbackRequest,
} from './repository.js';
