import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { errorMessage, UsageError, VoicebotError } from '../errors.ts';
import { openMaintenance, openReader, type Database } from '../store/open.ts';
import { processGone } from '../store/process-identity.ts';
import { pruneCalls } from '../store/prune.ts';
import { callDetail, exportCalls, findCall, listCalls } from '../store/read.ts';
import { detailJson, formatCallDetail, formatCallList, formatPrune } from './calls-format.ts';
import { durationOption, limitOption, sinceOption } from './calls-options.ts';

interface GlobalOptions {
  config?: string;
  db?: string;
}

/**
 * Registers `voicebot calls`: review the call log while calls are being written. list/show/export
 * only read; prune deletes. Output goes to stdout; errors to stderr with exit code 1 (2 for usage).
 */
export function registerCalls(program: Command, env: NodeJS.ProcessEnv): void {
  const calls = program
    .command('calls')
    .description('review the call log (SQLite): list, show, export, prune')
    .option('-c, --config <file>', 'voicebot.conf whose db_path to use (default: $VOICEBOT_CONFIG or /etc/asterisk/voicebot.conf)')
    .option('--db <file>', 'read this call log file directly (overrides db_path)');

  calls
    .command('list')
    .description('recent calls, newest first')
    .option('--since <when>', 'only calls started since a duration ago (7d, 12h) or a date (2025-11-01)', (text) => sinceOption(text))
    .option('--caller <text>', 'caller number or name contains this text')
    .option('-n, --limit <count>', 'at most this many calls', limitOption, 20)
    .option('--json', 'JSON array instead of a table')
    .action(async (options: { since?: number; caller?: string; limit: number; json?: boolean }, command: Command) => {
      await run(command, env, 'read', async (db) => {
        const rows = listCalls(db, { sinceMs: options.since, caller: options.caller, limit: options.limit })
          .map((row) => ({ ...row, processGone: row.ended_at === null ? processGone(row) : undefined }));
        await writeOut(options.json === true ? `${JSON.stringify(rows, null, 2)}\n` : formatCallList(rows));
      });
    });

  calls
    .command('show')
    .description('one call: who called, the conversation with stage timings (ms), events')
    .argument('<id>', 'voicebot call id (or a unique prefix) or Asterisk uniqueid')
    .option('--json', 'JSON object instead of text')
    .action(async (key: string, options: { json?: boolean }, command: Command) => {
      await run(command, env, 'read', async (db) => {
        const found = findCall(db, key);
        if (found === undefined) throw new VoicebotError('CALL_NOT_FOUND', `no call with id or uniqueid '${key}'. Fix: \`voicebot calls list\` shows the ids`);
        if ('candidates' in found) {
          throw new VoicebotError('CALL_AMBIGUOUS', `'${key}' matches several calls: ${found.candidates.join(', ')}. Fix: give the full id`);
        }
        const detail = { ...callDetail(db, found.call), processGone: found.call.ended_at === null ? processGone(found.call) : undefined };
        await writeOut(options.json === true ? `${JSON.stringify(detailJson(detail), null, 2)}\n` : formatCallDetail(detail));
      });
    });

  calls
    .command('export')
    .description('calls with turns and events as JSON lines (one call per line, oldest first), for central review')
    .option('--since <when>', 'only calls started since a duration ago (7d) or a date (2025-11-01)', (text) => sinceOption(text))
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl']).default('jsonl'))
    .action(async (options: { since?: number }, command: Command) => {
      await run(command, env, 'read', async (db) => {
        for (const detail of exportCalls(db, { sinceMs: options.since })) {
          if (!await writeOut(`${JSON.stringify(detailJson(detail))}\n`)) break;
        }
      });
    });

  calls
    .command('prune')
    .description('delete calls older than a duration, and the audio files only they reference')
    .requiredOption('--older-than <duration>', 'age of the calls to delete: 90d, 12w, 48h', durationOption)
    .option('--dry-run', 'only report what would be deleted')
    .option('--json', 'JSON summary instead of text')
    .action(async (options: { olderThan: number; dryRun?: boolean; json?: boolean }, command: Command) => {
      await run(command, env, options.dryRun === true ? 'read' : 'write', async (db) => {
        const before = new Date(Date.now() - options.olderThan);
        const result = pruneCalls(db, { beforeMs: before.getTime(), dryRun: options.dryRun === true });
        for (const failure of result.fileErrors) process.stderr.write(`voicebot calls prune: could not delete ${failure.path}: ${failure.error}\n`);
        await writeOut(options.json === true
          ? `${JSON.stringify({ before: before.toISOString(), dryRun: options.dryRun === true, ...result }, null, 2)}\n`
          : formatPrune(result, before, options.dryRun === true));
        if (result.fileErrors.length > 0) process.exitCode = 1;
      });
    });
}

/** Resolve the DB file, open it, run the body, report errors the CLI way. */
async function run(command: Command, env: NodeJS.ProcessEnv, mode: 'read' | 'write', body: (db: Database) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    const path = dbPath(command.optsWithGlobals<GlobalOptions>(), env);
    db = mode === 'read' ? openReader(path) : openMaintenance(path);
    await body(db);
  } catch (error) {
    process.stderr.write(`voicebot calls ${command.name()}: ${errorMessage(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  } finally {
    db?.close();
  }
}

function dbPath(options: GlobalOptions, env: NodeJS.ProcessEnv): string {
  if (options.db !== undefined && options.db !== '') return options.db;
  return loadConfig({ path: options.config, env }).resolve().db_path;
}

/** Write to stdout, waiting until it is handed over; false once the reader has gone (`| head`). */
function writeOut(text: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (process.stdout.destroyed) {
      resolve(false);
      return;
    }
    const onError = (): void => resolve(false);
    process.stdout.once('error', onError);
    process.stdout.write(text, (error) => {
      process.stdout.off('error', onError);
      resolve(error === undefined || error === null);
    });
  });
}
