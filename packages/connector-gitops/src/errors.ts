import { RingmasterError } from '@ringmaster/core';

/** A request the connector refuses before touching anything (bad digest, unknown target, URL with credentials). Exit 2 at the CLI edge. */
export class GitOpsInputError extends RingmasterError {
  constructor(message: string) {
    super('gitops_input', message);
  }
}

/** Git or the provider failed (clone, push, API); the message is already scrubbed of credentials. Exit 1 at the CLI edge. */
export class GitOpsFailedError extends RingmasterError {
  constructor(message: string) {
    super('gitops_failed', message);
  }
}
