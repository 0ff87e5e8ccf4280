import { RingmasterError } from '@ringmaster/core';

/** A request the connector refuses before touching anything (bad digest, unknown target, URL with credentials). Exit 2 at the CLI edge. */
export class GitOpsInputError extends RingmasterError {
  /** `field` is the request field at fault (`digest`, `target`, `image`, `to`, `run`, `step`, `url`, or an environment variable). */
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super('gitops_input', `${field}: ${detail}`);
  }
}

/** Git or the provider failed (clone, push, API); the message is already scrubbed of credentials. Exit 1 at the CLI edge. */
export class GitOpsFailedError extends RingmasterError {
  constructor(message: string) {
    super('gitops_failed', message);
  }
}
