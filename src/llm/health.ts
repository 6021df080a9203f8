import { Ollama } from 'ollama';
import { errorMessage } from '../errors.ts';
import type { CheckResult } from '../runtime/native-check.ts';
import { guardedFetch } from './guarded-fetch.ts';
import { LlmError } from './types.ts';

const START_FIX = 'start Ollama (systemctl start ollama, or `ollama serve`), or point ollama_host / OLLAMA_HOST at the machine that runs it';

/**
 * Cheap reachability check for `doctor` and call start: GET /api/version, then /api/tags to see
 * whether the model is pulled. Never throws; resolves within about `timeoutMs`.
 */
export async function checkOllama(host: string, model: string, options: { timeoutMs?: number } = {}): Promise<CheckResult> {
  const name = 'ollama';
  const timeoutMs = options.timeoutMs ?? 3000;
  const signal = AbortSignal.timeout(timeoutMs);
  let client: Ollama;
  try {
    client = new Ollama({ host, fetch: guardedFetch(signal, model) });
  } catch (error) {
    return { name, ok: false, detail: `'${host}' is not a valid Ollama URL (${errorMessage(error)})`, fix: 'set ollama_host to a URL such as http://127.0.0.1:11434' };
  }
  let version: string;
  try {
    version = (await client.version()).version;
  } catch (error) {
    if (signal.aborted) return { name, ok: false, detail: `no answer from ${host} within ${timeoutMs} ms`, fix: `check that Ollama is running and that nothing (firewall, proxy) blocks ${host}` };
    if (error instanceof LlmError) {
      return { name, ok: false, detail: `${host} answers but does not look like Ollama (${errorMessage(error)})`, fix: 'point ollama_host / OLLAMA_HOST at the Ollama server (default port 11434)' };
    }
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${errorMessage(error.cause)})` : '';
    return { name, ok: false, detail: `cannot reach Ollama at ${host}: ${errorMessage(error)}${cause}`, fix: START_FIX };
  }
  let names: string[];
  try {
    const list = await client.list();
    names = Array.isArray(list.models) ? list.models.map((m) => m.name) : [];
  } catch (error) {
    return { name, ok: false, detail: `Ollama ${version} at ${host} did not list its models: ${errorMessage(error)}`, fix: 'check the Ollama server log (journalctl -u ollama)' };
  }
  if (!names.some((n) => sameModel(n, model))) {
    const have = names.length > 0 ? ` (it has: ${names.slice(0, 8).join(', ')})` : ' (it has no models yet)';
    return { name, ok: false, detail: `Ollama ${version} at ${host} has no model '${model}'${have}`, fix: `run \`ollama pull ${model}\` on the Ollama host, or set ollama_model to a model it has` };
  }
  return { name, ok: true, detail: `Ollama ${version} at ${host}, model '${model}' is present`, fix: '' };
}

/** `llama3.2` means `llama3.2:latest`, as in the Ollama CLI. */
export function sameModel(a: string, b: string): boolean {
  const full = (name: string) => (name.includes(':') ? name : `${name}:latest`).toLowerCase();
  return full(a) === full(b);
}
