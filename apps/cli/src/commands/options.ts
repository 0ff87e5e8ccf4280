import { Option } from 'commander';

export const formatOption = (choices: string[], fallback: string): Option => new Option('-f, --format <format>', 'output format').choices(choices).default(fallback);
