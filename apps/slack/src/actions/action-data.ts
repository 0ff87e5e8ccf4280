/** An action's outcome, recorded as an `action.performed` event; the evidence package owns the shape. */
export type { ActionData } from '@ringmaster/evidence';
