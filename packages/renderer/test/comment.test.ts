import { describe, expect, it } from 'vitest';
import { FileRenderer } from '../src/index.js';

const renderer = new FileRenderer();

describe('comments cannot be broken out of', () => {
  it.each(['\r', '\n', '\r\n', '\u2028'])('a header with %j stays comments', (br) => {
    const yaml = renderer.render({ name: 'x.yaml', path: 'x.yaml', type: 'template', kb: [], body: { format: 'yaml', schema: 'plain', header: `one${br}evil: true`, documents: [{ a: 1 }] } }).content;
    expect(yaml.split(/\r\n|[\r\n\u2028]/).filter((l) => l.startsWith('evil'))).toEqual([]);
    const sql = renderer.render({ name: 'x.sql', path: 'x.sql', type: 'template', kb: [], body: { format: 'sql', summary: `one${br}DROP TABLE users`, statements: ['SELECT 1'] } }).content;
    expect(sql.split(/\r\n|[\r\n\u2028]/).filter((l) => l.startsWith('DROP'))).toEqual([]);
    const sh = renderer.render({ name: 'x.sh', path: 'x.sh', type: 'template', kb: [], body: { format: 'shell', summary: `one${br}rm -rf /`, vars: {}, script: 'true' } }).content;
    expect(sh.split(/\r\n|[\r\n\u2028]/).filter((l) => l.startsWith('rm'))).toEqual([]);
  });
});
