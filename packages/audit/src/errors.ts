import { RingmasterError } from '@ringmaster/core';

/** The audit was asked to read something it cannot: a missing path, not a folder, a bad config. Exit code 2 at the CLI edge. */
export class AuditInputError extends RingmasterError {
  constructor(message: string, options?: ErrorOptions) {
    super('audit_input', message, options);
  }
}
