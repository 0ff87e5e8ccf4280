import { RingmasterError } from '@ringmaster/core';

/** The plan or the request cannot be checked (no analysis template, an argument without a value, a bad URL). Exit 2 at the CLI edge. */
export class MetricsInputError extends RingmasterError {
  constructor(message: string) {
    super('metrics_input', message);
  }
}

/** Prometheus could not be reached or refused a query. Exit 1 at the CLI edge. */
export class MetricsQueryError extends RingmasterError {
  constructor(message: string) {
    super('metrics_failed', message);
  }
}
