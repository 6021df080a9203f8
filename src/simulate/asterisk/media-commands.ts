import type { CommandContext } from './command-context.ts';

/**
 * Asterisk 22's log line each time a new command interrupts WAIT FOR DIGIT (seen once per caller turn
 * on a real 22.10.1); recorded as an `asterisk_warning` event so tests can assert it never happens.
 */
export const WAITFORDIGIT_INTERRUPTED_WARNING = 'WARNING channel.c: The FD we were waiting for has something waiting. Waitfordigit returning numeric 1';

/** WAIT FOR DIGIT: a digit, the timeout (`-1` waits forever), an interrupting command or hangup ends it. */
export function waitForDigit(ctx: CommandContext): void {
  const timeout = Number.parseInt(ctx.argv[3] ?? '', 10);
  if (ctx.argv.length !== 4 || Number.isNaN(timeout)) return ctx.usage();
  const cancel = timeout < 0 ? () => {} : ctx.host.after(timeout, () => ctx.ok('result=0'));
  ctx.run({
    interrupt: 'answers',
    digit: (d) => { cancel(); ctx.ok(`result=${d.charCodeAt(0)}`); },
    stop: () => { cancel(); ctx.host.event('asterisk_warning', { message: WAITFORDIGIT_INTERRUPTED_WARNING }); ctx.ok('result=1'); },
    hangup: () => { cancel(); ctx.ok('result=-1'); },
  });
}

/** RECEIVE CHAR: no text ever arrives on a voice channel, so it times out. */
export function receiveChar(ctx: CommandContext): void {
  const cancel = ctx.host.after(Math.max(0, Number.parseInt(ctx.argv[2] ?? '', 10) || 0), () => ctx.ok('result=-1 (hangup)'));
  ctx.run({ interrupt: 'queues', stop: () => {}, hangup: () => { cancel(); ctx.ok('result=-1'); } });
}

/** STREAM FILE <file> <escape digits> [offset]. */
export function streamFile(ctx: CommandContext): void {
  const { argv } = ctx;
  if (argv.length < 4 || argv.length > 5) return ctx.usage();
  const sound = ctx.sound(argv[2] ?? '');
  if (sound === undefined) {
    ctx.variables.set('PLAYBACKSTATUS', 'FAILED');
    return ctx.ok('result=-1 endpos=0');
  }
  const escape = argv[3] ?? '';
  const play = ctx.play(sound, Number.parseInt(argv[4] ?? '', 10) || 0, () => {
    ctx.variables.set('PLAYBACKSTATUS', 'SUCCESS');
    ctx.ok(`result=0 endpos=${sound.samples.length}`);
  });
  ctx.run({
    interrupt: 'silent',
    digit: (d) => { if (escape.includes(d)) ctx.ok(`result=${d.charCodeAt(0)} endpos=${play.stop('digit')}`); },
    stop: () => { play.stop('interrupted'); ctx.finish([], true); },
    hangup: () => ctx.ok(`result=-1 endpos=${play.stop('hangup')}`),
  });
}

/** GET OPTION <file> <escape digits> [timeout] and GET DATA <file> [timeout] [max digits]. */
export function getDigits(ctx: CommandContext): void {
  const { argv } = ctx;
  const option = ctx.name === 'GET OPTION';
  if (argv.length < (option ? 4 : 3)) return ctx.usage();
  const sound = ctx.sound(argv[2] ?? '');
  const escape = option ? argv[3] ?? '' : '0123456789*#';
  const timeoutMs = Number.parseInt(argv[option ? 4 : 3] ?? '', 10) || (option ? 5000 : 2000);
  const maxDigits = option ? 1 : Number.parseInt(argv[4] ?? '', 10) || 1024;
  const total = sound?.samples.length ?? 0;
  let digits = '';
  let cancelWait = () => {};
  const done = (text: string) => { cancelWait(); ctx.ok(text); };
  const wait = () => {
    cancelWait();
    cancelWait = ctx.host.after(timeoutMs, () => {
      if (option) done(`result=0 endpos=${total}`);
      else done(digits === '' ? 'result= (timeout)' : `result=${digits} (timeout)`);
    });
  };
  const play = sound === undefined ? undefined : ctx.play(sound, 0, wait);
  if (play === undefined) wait();
  ctx.run({
    interrupt: 'silent',
    digit: (d) => {
      const position = play?.stop('digit') ?? total;
      if (option) {
        if (escape.includes(d)) done(`result=${d.charCodeAt(0)} endpos=${position}`);
        return;
      }
      if (d === '#') return done(`result=${digits}`);
      digits += d;
      if (digits.length >= maxDigits) return done(`result=${digits}`);
      wait();
    },
    stop: () => { cancelWait(); play?.stop('interrupted'); ctx.finish([], true); },
    hangup: () => { play?.stop('hangup'); done(option ? `result=-1 endpos=${play?.stop('hangup') ?? 0}` : 'result=-1'); },
  });
}

/** CONTROL STREAM FILE <file> <escape digits> <skipms> ...: fd 3 audio pauses while it plays. */
export function controlStreamFile(ctx: CommandContext): void {
  const { argv, variables, host } = ctx;
  if (argv.length < 5) return ctx.usage();
  const sound = ctx.sound(argv[3] ?? '');
  if (sound === undefined) {
    variables.set('CPLAYBACKSTATUS', 'ERROR');
    return ctx.ok('result=-1 endpos=-1');
  }
  const stopDigits = argv[4] ?? '';
  host.setAudioFlowing(false);
  const end = (text: string) => { host.setAudioFlowing(true); ctx.ok(text); };
  const play = ctx.play(sound, 0, () => {
    variables.set('CPLAYBACKSTATUS', 'SUCCESS');
    variables.set('CPLAYBACKOFFSET', '-1');
    end('result=0 endpos=-1');
  });
  ctx.run({
    interrupt: 'queues',
    digit: (d) => {
      if (!stopDigits.includes(d)) return;
      const offsetMs = Math.round((play.stop('digit') / sound.sampleRateHz) * 1000);
      variables.set('CPLAYBACKSTATUS', 'USERSTOPPED');
      variables.set('CPLAYBACKOFFSET', String(offsetMs));
      variables.set('CPLAYBACKSTOPKEY', d);
      end(`result=${d.charCodeAt(0)} endpos=${offsetMs}`);
    },
    stop: () => {},
    hangup: () => { play.stop('hangup'); end('result=-1 endpos=-1'); },
  });
}

/** RECORD FILE <file> <format> <escape digits> <timeout>: fd 3 audio pauses while it records. */
export function recordFile(ctx: CommandContext): void {
  const { argv, host } = ctx;
  if (argv.length < 6) return ctx.usage();
  const escape = argv[4] ?? '';
  const timeoutMs = Number.parseInt(argv[5] ?? '', 10);
  host.setAudioFlowing(false);
  const end = (text: string) => { cancel(); host.setAudioFlowing(true); ctx.ok(text); };
  const samples = () => Math.round(((host.nowMs() - ctx.startedMs) / 1000) * 8000);
  const cancel = timeoutMs > 0 ? host.after(timeoutMs, () => end(`result=0 (timeout) endpos=${samples()}`)) : () => {};
  ctx.run({
    interrupt: 'queues',
    digit: (d) => { if (escape.includes(d)) end(`result=${d.charCodeAt(0)} (dtmf) endpos=${samples()}`); },
    stop: () => {},
    hangup: () => end(`result=-1 (hangup) endpos=${samples()}`),
  });
}
