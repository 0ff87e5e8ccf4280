import type { ErrorObject } from 'ajv';

interface StandaloneValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const validateInput: StandaloneValidator;
export const validateOutput: StandaloneValidator;
