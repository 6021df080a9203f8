import type { CommandContext } from './command-context.ts';

/** EXEC <application> <args>: the dialplan applications a bot may call, as Asterisk answers them. */
export function execApp(ctx: CommandContext): void {
  const { argv, host, variables } = ctx;
  if (argv.length < 2) return ctx.usage();
  const app = (argv[1] ?? '').toLowerCase();
  const appArgs = argv.slice(2).join(' ');
  switch (app) {
    case 'playback': {
      const sound = ctx.alive() ? ctx.sound(appArgs.split(',')[0] ?? '') : undefined;
      if (sound === undefined) {
        variables.set('PLAYBACKSTATUS', 'FAILED');
        return ctx.ok(ctx.alive() ? 'result=0' : 'result=-1');
      }
      host.setAudioFlowing(false);
      const play = ctx.play(sound, 0, () => {
        host.setAudioFlowing(true);
        variables.set('PLAYBACKSTATUS', 'SUCCESS');
        ctx.ok('result=0');
      });
      ctx.run({ interrupt: 'queues', stop: () => {}, hangup: () => { play.stop('hangup'); host.setAudioFlowing(true); ctx.ok('result=-1'); } });
      return;
    }
    case 'set': {
      const [key, ...rest] = appArgs.split('=');
      if (key !== undefined && key !== '') variables.set(key, rest.join('='));
      return ctx.ok('result=0');
    }
    case 'wait': {
      const cancel = host.after((Number.parseFloat(appArgs) || 0) * 1000, () => ctx.ok('result=0'));
      ctx.run({ interrupt: 'queues', stop: () => {}, hangup: () => { cancel(); ctx.ok('result=-1'); } });
      return;
    }
    case 'verbose': case 'noop': case 'log': case 'senddtmf': return ctx.ok('result=0');
    case 'hangup':
      ctx.ok('result=-1');
      ctx.hangup('exec-hangup');
      return;
    default: return ctx.ok('result=-2');
  }
}
