import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Who may import what (ARCHITECTURE.md): each package's sources may import only the
 * workspace packages listed here; a relative path into another package is never allowed.
 */
const IMPORT_TABLE = [
  { files: ['packages/core/src/**'], allowed: [] },
  { files: ['packages/mode-*/src/**'], allowed: ['core'] },
  { files: ['packages/renderer/src/**'], allowed: ['core'] },
  { files: ['packages/audit/src/**'], allowed: ['core'] },
  { files: ['packages/evidence/src/**'], allowed: ['core', 'renderer'] },
  { files: ['packages/modes/src/**'], allowed: ['core', 'renderer', 'mode-*'] },
  { files: ['packages/connector-*/src/**'], allowed: ['core'] },
  { files: ['apps/*/src/**'], allowed: ['core', 'modes', 'renderer', 'audit', 'evidence', 'connector-*'] },
];

const importRules = IMPORT_TABLE.map(({ files, allowed }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@ringmaster/*', ...allowed.map((name) => `!@ringmaster/${name}`)],
            message: `not allowed by the import table in ARCHITECTURE.md (this package may import: ${allowed.length ? allowed.map((n) => `@ringmaster/${n}`).join(', ') : 'no workspace package'})`,
          },
          { group: ['**/packages/*/src/**', '../../*/src/**', '../../../packages/**'], message: 'import another package by its name, never by a path into its sources' },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-template-curly-in-string': 'off',
      'no-console': 'error',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node }, rules: { 'no-console': 'off' } },
  ...importRules,
);
