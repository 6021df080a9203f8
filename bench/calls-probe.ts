/**
 * Preloaded into each voicebot process of bench/calls.ts (NODE_OPTIONS=--import=<this file>):
 * when the process exits it appends one JSON line with its peak memory, heap and CPU to the file
 * named by VOICEBOT_BENCH_PROBE_OUT. Never writes to stdout (stdout belongs to Asterisk).
 */
import { appendFileSync, readFileSync } from 'node:fs';

const out = process.env['VOICEBOT_BENCH_PROBE_OUT'];
if (out !== undefined && out !== '') {
  process.on('exit', (code) => {
    const status: Record<string, number> = {};
    try {
      for (const match of readFileSync('/proc/self/status', 'utf8').matchAll(/^(Vm\w+|Rss\w+):\s+(\d+) kB$/gm)) status[match[1]!] = Number(match[2]);
    } catch {
      // No /proc: leave the status fields out.
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const line = {
      pid: process.pid, code, marker: process.env['VOICEBOT_BENCH_MARKER'] ?? '',
      vmHwmKb: status['VmHWM'], vmRssKb: status['VmRSS'], rssAnonKb: status['RssAnon'], rssFileKb: status['RssFile'],
      heapUsedKb: Math.round(memory.heapUsed / 1024), heapTotalKb: Math.round(memory.heapTotal / 1024),
      externalKb: Math.round(memory.external / 1024), arrayBuffersKb: Math.round(memory.arrayBuffers / 1024),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000), uptimeMs: Math.round(process.uptime() * 1000),
    };
    try {
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    } catch {
      // The benchmark reports the process as unprobed.
    }
  });
}
