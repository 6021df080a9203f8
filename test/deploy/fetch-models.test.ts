import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { closedPortHost } from '../../src/simulate/fake-ollama.ts';
import { repoRoot } from '../support/paths.ts';

const script = join(repoRoot, 'scripts', 'fetch-models');
const canUnzip = spawnSync('unzip', ['-v']).status === 0 || spawnSync('python3', ['--version']).status === 0;

/** A zip with stored (uncompressed) entries: enough for unzip and python's zipfile. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A file server on 127.0.0.1 that counts requests; unknown paths answer 404. */
async function serve(files: Record<string, Buffer | string>): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

/** Runs the script without blocking this process (the test's server must keep answering). */
function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [script, ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('no route to the download host: fails at once, names models/README.md and the places to fill by hand, leaves nothing behind', async () => {
  const dest = mkdtempSync(join(tmpdir(), 'voicebot-models-'));
  const host = await closedPortHost();
  const result = await run(['--dest', dest], { VOSK_URL: `${host}/vosk.zip`, CONNECT_TIMEOUT_SECONDS: '2' });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /FAILED: cannot download http:\/\/127\.0\.0\.1:\d+\/vosk\.zip \(curl: \(7\)|FAILED: cannot download .*wget/);
  assert.match(result.stderr, /models\/README\.md/);
  assert.ok(result.stderr.includes(`${dest}/vosk/`) && result.stderr.includes(`${dest}/voice.onnx`), 'says where the files go');
  assert.deepEqual(readdirSync(dest), [], 'no partial download, no .download folder');
});

test('a download with the wrong sha256 is refused and nothing is installed; a 404 fails the same way', async () => {
  const files = { '/vosk.zip': storedZip({ 'm/am/final.mdl': 'tampered' }) };
  const { url, server } = await serve(files);
  try {
    const dest = mkdtempSync(join(tmpdir(), 'voicebot-models-'));
    const bad = await run(['--dest', dest], { VOSK_URL: `${url}/vosk.zip` });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /checksum mismatch for .*vosk\.zip: expected sha256 30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498, got [0-9a-f]{64}/);
    assert.deepEqual(readdirSync(dest), []);
    const missing = await run(['--dest', dest], { VOSK_URL: `${url}/nope.zip` });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot download .*nope\.zip .*404/);
  } finally {
    server.close();
  }
});

test('downloads, checks and places the Vosk model and Piper voice, names the ollama pull, and skips what is there', { skip: canUnzip ? false : 'neither unzip nor python3 to unpack the zip' }, async () => {
  const zip = storedZip({ 'vosk-model-x/am/final.mdl': 'am', 'vosk-model-x/conf/model.conf': 'conf', 'vosk-model-x/graph/HCLG.fst': 'g' });
  const voice = 'onnx bytes';
  const json = '{"audio":{"sample_rate":22050}}';
  const { url, hits, server } = await serve({ '/vosk.zip': zip, '/voice.onnx': voice, '/voice.onnx.json': json });
  try {
    const dest = mkdtempSync(join(tmpdir(), 'voicebot-models-'));
    const conf = join(dest, 'voicebot.conf');
    writeFileSync(conf, '[general]\nollama_model = base:3b ; comment\n[orders]\n  ollama_model = big:8b\n;ollama_model = commented:1b\n');
    const env = {
      VOSK_URL: `${url}/vosk.zip`, VOSK_SHA256: sha256(zip),
      PIPER_URL: `${url}/voice.onnx`, PIPER_SHA256: sha256(voice),
      PIPER_JSON_URL: `${url}/voice.onnx.json`, PIPER_JSON_SHA256: sha256(json),
    };
    const first = await run(['--dest', dest, '--config', conf], env);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(readFileSync(join(dest, 'vosk/am/final.mdl'), 'utf8'), 'am');
    assert.ok(existsSync(join(dest, 'vosk/graph/HCLG.fst')));
    assert.equal(readFileSync(join(dest, 'voice.onnx'), 'utf8'), voice);
    assert.equal(readFileSync(join(dest, 'voice.onnx.json'), 'utf8'), json);
    assert.match(first.stdout, /ollama pull base:3b\n {2}ollama pull big:8b\n/);
    assert.doesNotMatch(first.stdout, /commented/);
    assert.deepEqual(readdirSync(dest).sort(), ['voice.onnx', 'voice.onnx.json', 'vosk', 'voicebot.conf'].sort(), 'no leftovers');
    assert.equal(hits.length, 3);

    const second = await run(['--dest', dest, '--config', conf], env);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /Vosk model already in .*skipping/);
    assert.match(second.stdout, /Piper voice already in .*skipping/);
    assert.equal(hits.length, 3, 'nothing downloaded again');
  } finally {
    server.close();
  }
});
