/** One problem with a profile: where (JSON pointer), what was expected, what was found. */
export interface InputIssue {
  pointer: string;
  expected: string;
  found: string;
  message: string;
}

/** Base class: every error Ringmaster throws on purpose carries a stable code. */
export class RingmasterError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input is not a valid profile. Exit code 2 at the CLI edge. */
export class ProfileInputError extends RingmasterError {
  constructor(readonly issues: readonly InputIssue[]) {
    super('profile_invalid', issues.map((i) => i.message).join('; '));
  }
}

/** A mode threw while deciding or contributing; the engine stamps the mode id. */
export class ModeFailedError extends RingmasterError {
  constructor(
    readonly modeId: string,
    cause: unknown,
  ) {
    super('mode_failed', `mode ${modeId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A mode definition is malformed; thrown by defineMode at import time. */
export class ModeDefinitionError extends RingmasterError {
  constructor(modeId: string, problem: string) {
    super('mode_definition', `mode ${modeId}: ${problem}`);
  }
}

/** The merged output breaks a guardrail (spec section 6); it is never shipped. */
export class GuardrailViolationError extends RingmasterError {
  constructor(readonly violations: readonly GuardrailViolation[]) {
    super('guardrail_violation', violations.map((v) => `${v.guardrail} in ${v.where}: ${v.detail}`).join('; '));
  }
}

export interface GuardrailViolation {
  guardrail: string;
  where: string;
  detail: string;
  kb: string;
}

/** The output cites a KB trace that does not resolve to a heading in kb/. */
export class UnresolvedTraceError extends RingmasterError {
  constructor(readonly traces: readonly string[]) {
    super('kb_unresolved', `unresolved KB trace(s): ${traces.join(', ')}`);
  }
}

/** The output does not validate against the published output schema: a bug in a mode. */
export class OutputSchemaError extends RingmasterError {
  constructor(readonly issues: readonly InputIssue[]) {
    super('output_invalid', `output does not match output.schema.json: ${issues.map((i) => i.message).join('; ')}`);
  }
}

/** A set of modes cannot be registered together (duplicate ids or section owners, unknown sections). */
export class ModeRegistrationError extends RingmasterError {
  constructor(problem: string) {
    super('mode_registration', problem);
  }
}

/** A container lacks a service the engine needs (e.g. no artifact renderer bound). */
export class MissingServiceError extends RingmasterError {
  constructor(problem: string) {
    super('missing_service', problem);
  }
}

/** What plain file-system errors mean, in words (a user never sees a raw errno). */
export const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'no permission',
  EPERM: 'no permission',
  EISDIR: 'a directory',
  ELOOP: 'a symbolic link loop',
  ENAMETOOLONG: 'a name that is too long',
  ENOTDIR: 'a path through something that is not a directory',
  EEXIST: 'something already there',
  ENOSPC: 'no space left on the device',
  EROFS: 'a read-only file system',
};
