import { ConfigError } from '../errors.ts';

export interface IniEntry {
  key: string;
  value: string;
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  entries: IniEntry[];
  /** A header that was reported as an error: its entries are parsed but not used. */
  invalid?: boolean;
}

/**
 * Parse Asterisk-style INI text: `[section]`, `key = value` (or `=>`), `;` comments (`\;` is a
 * literal semicolon), `;-- ... --;` block comments. Entries before any section are an error, as
 * in Asterisk. Keys are lower-cased; values keep their case.
 */
export function parseIni(text: string, file: string, problems?: ConfigError[]): IniSection[] {
  const sections: IniSection[] = [];
  /** Collect (skipping the line) when `problems` is given, else stop at the first error. */
  const report = (error: ConfigError): void => {
    if (problems === undefined) throw error;
    problems.push(error);
  };
  const lines = text.split(/\r?\n/);
  let inBlockComment = false;
  for (let index = 0; index < lines.length; index += 1) {
    const lineNo = index + 1;
    let line = lines[index] ?? '';
    if (inBlockComment) {
      const end = line.indexOf('--;');
      if (end === -1) continue;
      line = line.slice(end + 3);
      inBlockComment = false;
    }
    const blockStart = line.indexOf(';--');
    if (blockStart !== -1) {
      const end = line.indexOf('--;', blockStart + 3);
      if (end === -1) {
        inBlockComment = true;
        line = line.slice(0, blockStart);
      } else {
        line = line.slice(0, blockStart) + line.slice(end + 3);
      }
    }
    const content = stripComment(line).trim();
    if (content === '') continue;
    if (content.startsWith('#')) {
      report(new ConfigError('CONFIG_DIRECTIVE', { file, line: lineNo }, `'${content}' is not supported`,
        'put every setting in this one file (voicebot.conf does not follow #include or #exec)'));
      continue;
    }
    if (content.startsWith('[')) {
      const match = /^\[([^\]]+)\]$/.exec(content);
      if (match === null || match[1] === undefined) {
        report(new ConfigError('CONFIG_SYNTAX', { file, line: lineNo }, `'${content}' is not a section header`,
          'write a section as [name] on its own line (templates like [name](!) are not supported)'));
        // The entries below it must not land in the section before.
        sections.push({ name: content, line: lineNo, entries: [], invalid: true });
        continue;
      }
      const name = match[1].trim();
      if (sections.some((section) => section.name === name)) {
        report(new ConfigError('CONFIG_DUPLICATE_SECTION', { file, line: lineNo }, `section [${name}] appears twice`,
          'merge the two sections into one'));
        sections.push({ name: content, line: lineNo, entries: [], invalid: true });
        continue;
      }
      sections.push({ name, line: lineNo, entries: [] });
      continue;
    }
    const match = /^([^=]+?)\s*=>?\s*(.*)$/.exec(content);
    if (match === null || match[1] === undefined) {
      report(new ConfigError('CONFIG_SYNTAX', { file, line: lineNo }, `'${content}' is not 'key = value'`,
        'write settings as key = value, comments after ;'));
      continue;
    }
    const current = sections.at(-1);
    if (current === undefined) {
      report(new ConfigError('CONFIG_SYNTAX', { file, line: lineNo, key: match[1] }, 'setting before any section',
        'put it under [general] or a profile section'));
      continue;
    }
    current.entries.push({ key: match[1].trim().toLowerCase(), value: match[2] ?? '', line: lineNo });
  }
  return sections;
}

function stripComment(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === '\\' && line[i + 1] === ';') {
      out += ';';
      i += 1;
      continue;
    }
    if (char === ';') break;
    out += char;
  }
  return out;
}
