import type { KeyTable } from '../schema.ts';

/** `voicebot serve`: the ARI connection (the EAGI call path never reads these). */
export const ariKeys = {
  ari_url: {
    type: 'list', scope: 'general', default: ['http://127.0.0.1:8088'],
    doc: 'Asterisk HTTP servers (http.conf bindaddr:bindport) `voicebot serve` attaches to, comma-separated; one serve can serve several Asterisk boxes with the same ARI user.',
  },
  ari_username: {
    type: 'string', scope: 'general', default: 'voicebot',
    doc: 'ARI user (a [user] section of ari.conf with read_only = no).',
  },
  ari_password: {
    type: 'string', scope: 'general', default: '', allowEmpty: true,
    doc: 'ARI password. Better: leave empty and set ari_password_file, a file only the service user can read. Never logged.',
  },
  ari_password_file: {
    type: 'path', scope: 'general', default: '', allowEmpty: true,
    doc: 'File holding the ARI password on its first line (mode 0600, owned by the service user); used when ari_password is empty.',
  },
  ari_app: {
    type: 'string', scope: 'general', default: 'voicebot', pattern: { test: /^[A-Za-z0-9_.-]+$/, describe: 'letters, digits, _ . -' },
    doc: 'Stasis application name: the dialplan runs a call with Stasis(<ari_app>,<profile>).',
  },
  ari_media_format: {
    type: 'enum', scope: 'general', default: 'slin16', values: ['slin16', 'slin', 'ulaw'],
    doc: 'Audio format of the external media WebSocket (chan_websocket): slin16 (16 kHz, best for speech models), slin (8 kHz) or ulaw.',
  },
  ari_timeout_ms: {
    type: 'int', scope: 'general', default: 3000, min: 200, max: 60000,
    doc: 'Deadline of one ARI request and of the media WebSocket handshake.',
  },
  serve_health_interval_seconds: {
    type: 'int', scope: 'general', default: 60, min: 0, max: 86400,
    doc: '`voicebot serve` writes a health line (calls, memory, CPU, ARI connections) this often (0: never).',
  },
} as const satisfies KeyTable;
