/**
 * Text as line comments. Splits on every line break a consumer may honour (CR, LF,
 * CRLF, U+2028/2029), so that no text can end the comment and start code.
 */
export function commentLines(text: string, prefix: '#' | '--'): string[] {
  return text.split(/\r\n|[\r\n\u2028\u2029]/).map((line) => `${prefix} ${line}`.trimEnd());
}
