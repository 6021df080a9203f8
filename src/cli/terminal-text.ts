/**
 * Control characters that would act on a terminal instead of being shown: C0 (ESC, BEL, CR, ...),
 * DEL, C1, the Unicode line/paragraph separators and the bidirectional overrides and isolates.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from the call log made safe to print on a terminal: every control character becomes a
 * visible escape (`\x1b`, `\u202e`), so a caller-set name cannot move the cursor, ring the bell or
 * rewrite the admin's screen. The DB keeps the text verbatim.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
