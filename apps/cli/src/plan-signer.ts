import { parseProfileText, RingmasterError, type DeliverySystem } from '@ringmaster/core';
import { readProfileText } from './io.js';

/**
 * Who the release pipeline signs with, as the plan says: never a value of the CLI's own. From a
 * profile, the delivery model of its plan (`DeliverySystem.ci.signing`, with the modes the plan
 * selects: the supply-chain mode moves signing to its own workflow). From a `plan --out` folder,
 * the connector's `signerOfPlanDir` (the signer its promotion script verifies against).
 */

export class PlanSignerInputError extends RingmasterError {
  constructor(message: string) {
    super('plan_input', message);
  }
}

/** The delivery system of a profile's plan: its overlays and its signer. */
export async function deliveryOfProfile(file: string): Promise<DeliverySystem> {
  const input = parseProfileText(readProfileText(file));
  const { createEngine } = await import('@ringmaster/modes');
  return createEngine().delivery(input);
}
