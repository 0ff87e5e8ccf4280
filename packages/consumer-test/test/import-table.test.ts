// The import table of ARCHITECTURE.md is enforced by eslint (eslint.config.js): these cases
// prove the rule rejects what the table forbids and accepts what it allows.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: repo });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repo}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import table', () => {
  it.each([
    ['packages/core/src/x.ts', "import { supplyChainMode } from '@ringmaster/mode-supply-chain';\nexport const m = supplyChainMode;\n"],
    ['packages/core/src/x.ts', "import { FileRenderer } from '@ringmaster/renderer';\nexport const r = FileRenderer;\n"],
    ['packages/mode-dr/src/x.ts', "import { gitopsMode } from '@ringmaster/mode-gitops';\nexport const m = gitopsMode;\n"],
    ['packages/mode-dr/src/x.ts', "import { FileRenderer } from '@ringmaster/renderer';\nexport const r = FileRenderer;\n"],
    ['packages/mode-dr/src/x.ts', "import { defineMode } from '../../core/src/index.js';\nexport const d = defineMode;\n"],
    ['apps/cli/src/x.ts', "import { drMode } from '@ringmaster/mode-dr';\nexport const m = drMode;\n"],
  ])('rejects %s importing what the table forbids (%#)', async (file, code) => {
    expect(await importErrors(file, code)).toHaveLength(1);
  });

  it.each([
    ['packages/mode-dr/src/x.ts', "import { defineMode } from '@ringmaster/core';\nexport const d = defineMode;\n"],
    ['packages/modes/src/x.ts', "import { drMode } from '@ringmaster/mode-dr';\nexport const m = drMode;\n"],
    ['apps/cli/src/x.ts', "import { createEngine } from '@ringmaster/modes';\nexport const e = createEngine;\n"],
  ])('accepts %s importing what the table allows (%#)', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
