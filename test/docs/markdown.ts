/** A fenced code block of a Markdown file: its info string (`sh on-the-pbx`) and its lines. */
export interface FencedBlock {
  info: string;
  lines: string[];
  /** 1-based line of the opening fence. */
  line: number;
}

export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: FencedBlock | undefined;
  markdown.split('\n').forEach((raw, index) => {
    const fence = /^\s*```(.*)$/.exec(raw);
    if (fence !== null) {
      if (open === undefined) open = { info: (fence[1] ?? '').trim(), lines: [], line: index + 1 };
      else {
        blocks.push(open);
        open = undefined;
      }
      return;
    }
    open?.lines.push(raw.trim());
  });
  return blocks;
}

/** Command lines of a shell block: comments and blank lines dropped. */
export function commandLines(block: FencedBlock): string[] {
  return block.lines.map((line) => line.replace(/\s+#\s.*$/, '').trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** Markdown outside code fences (inline code stays). */
export function prose(markdown: string): string {
  let inFence = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      return false;
    }
    return !inFence;
  }).join('\n');
}

/** Repository folders whose files the docs cite by path. */
const CITED_ROOTS = ['src/', 'test/', 'bench/', 'docs/', 'scripts/', 'etc-asterisk/', 'models/', '.ci/', 'vendor/'];

/**
 * Files and folders a Markdown text cites: inline-code tokens that start with a repository folder
 * (the first word only: `scripts/fetch-models --dest X` cites scripts/fetch-models), and relative
 * link targets (resolved against `baseDir`, the cited file's folder relative to the repository).
 * Patterns with placeholders or globs (`bench/<name>.ts`, `test/faults/*.test.ts`) are skipped.
 */
export function citedPaths(markdown: string, baseDir: string): string[] {
  const text = prose(markdown);
  const cited = new Set<string>();
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const token = (match[1] ?? '').split(/\s+/)[0] ?? '';
    if (CITED_ROOTS.some((root) => token.startsWith(root))) cited.add(token);
  }
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (match[1] ?? '').split('#')[0] ?? '';
    if (target === '' || /^[a-z]+:/.test(target)) continue;
    cited.add(baseDir === '' ? target : `${baseDir}/${target}`);
  }
  return [...cited].filter((path) => !/[<>*{}]/.test(path)).map((path) => path.replace(/[.,:;)]+$/, ''));
}
