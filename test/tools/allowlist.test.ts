import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostAllowlist, type LookupAll } from '../../src/tools/allowlist.ts';

/** A scripted resolver that records the names asked. */
function fakeLookup(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup: LookupAll = async (host) => {
    asked.push(host);
    const addresses = answers[host];
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked };
}

function allowlistOf(entries: string[], lookup?: LookupAll): HostAllowlist {
  const parsed = HostAllowlist.parse(entries, lookup === undefined ? {} : { lookup });
  assert.ok('allowlist' in parsed, 'problem' in parsed ? parsed.problem : '');
  return parsed.allowlist;
}

async function allowed(list: HostAllowlist, url: string): Promise<boolean> {
  return (await list.check(new URL(url))) === undefined;
}

test('loopback is allowed by default, everything else is not', async () => {
  const { lookup, asked } = fakeLookup({});
  const list = allowlistOf([], lookup);
  for (const url of ['http://127.0.0.1:8080/x', 'http://127.9.9.9/', 'http://[::1]:3000/', 'http://localhost/', 'https://LOCALHOST./', 'http://[::ffff:127.0.0.1]/']) {
    assert.ok(await allowed(list, url), url);
  }
  for (const url of ['http://10.1.2.3/', 'http://[fd00::1]/', 'http://192.168.1.1/', 'http://example.invalid/']) {
    assert.ok(!(await allowed(list, url)), url);
  }
  assert.deepEqual(asked, ['example.invalid'], 'IP literals and listed names are not resolved');
  assert.equal(list.describe(), 'loopback');
});

test('IPv4 and IPv6 networks and single addresses', async () => {
  const list = allowlistOf(['10.0.0.0/8', 'fd00::/8', '192.168.1.20', '2001:db8::5']);
  for (const url of ['http://10.1.2.3/', 'http://10.255.255.255/', 'http://[fd12:3456::1]/', 'http://192.168.1.20/', 'http://[2001:db8::5]/', 'http://[::ffff:10.0.0.1]/']) {
    assert.ok(await allowed(list, url), url);
  }
  for (const url of ['http://11.0.0.1/', 'http://[fe80::1]/', 'http://192.168.1.21/', 'http://[2001:db8::6]/']) {
    const reason = await list.check(new URL(url));
    assert.match(reason ?? '', /is not in tool_allowed_hosts/, url);
  }
  assert.equal(list.describe(), 'loopback, 10.0.0.0/8, fd00::/8, 192.168.1.20, 2001:db8::5');
});

test('listed names match exactly and case-insensitively, without resolving', async () => {
  const { lookup, asked } = fakeLookup({ 'other.example.com': ['203.0.113.9'] });
  const list = allowlistOf(['CRM.example.com'], lookup);
  assert.ok(await allowed(list, 'https://crm.EXAMPLE.com/api'));
  assert.ok(await allowed(list, 'https://crm.example.com:8443/api'));
  assert.ok(!(await allowed(list, 'https://api.crm.example.com/')), 'a sub-domain is another host');
  assert.ok(!(await allowed(list, 'https://other.example.com/')));
  assert.deepEqual(asked, ['api.crm.example.com', 'other.example.com']);
});

test('an unlisted name is allowed only when every address it resolves to is allowed', async () => {
  const { lookup } = fakeLookup({
    'inside.lan': ['10.0.0.7', 'fd00::7'],
    'mixed.lan': ['10.0.0.8', '203.0.113.8'],
    'empty.lan': [],
  });
  const list = allowlistOf(['10.0.0.0/8', 'fd00::/8'], lookup);
  assert.ok(await allowed(list, 'http://inside.lan/'));
  assert.match(await list.check(new URL('http://mixed.lan/')) ?? '', /resolves to 203\.0\.113\.8/);
  assert.match(await list.check(new URL('http://empty.lan/')) ?? '', /no address/);
  assert.match(await list.check(new URL('http://gone.lan/')) ?? '', /could not be resolved/);
});

test('the real resolver refuses a name that does not resolve', async () => {
  const list = allowlistOf(['10.0.0.0/8']);
  assert.match(await list.check(new URL('http://example.invalid/')) ?? '', /could not be resolved/);
});

test('only http and https are allowed', async () => {
  const list = allowlistOf([]);
  assert.match(await list.check(new URL('ftp://127.0.0.1/')) ?? '', /scheme ftp: is not http or https/);
  assert.match(await list.check(new URL('file:///etc/passwd')) ?? '', /scheme/);
});

test('a bad entry is a problem naming it', () => {
  const cases: [string, RegExp][] = [
    ['10.0.0.0/33', /'10\.0\.0\.0\/33': the prefix length must be 0 to 32/],
    ['fd00::/129', /prefix length must be 0 to 128/],
    ['10.0.0/8', /a network must be an IP address and a prefix length/],
    ['https://crm.example.com', /without scheme, port or path/],
    ['crm.example.com:8443', /without port/],
    ['crm.example.com/api', /without a path/],
    ['*.example.com', /wildcards are not supported/],
    ['bad_host!', /not a host name, IP address or network/],
    ['  ', /empty/],
  ];
  for (const [entry, expected] of cases) {
    const parsed = HostAllowlist.parse(['127.0.0.1', entry]);
    assert.ok('problem' in parsed, entry);
    assert.match(parsed.problem, expected);
    assert.ok(parsed.problem.includes(`'${entry}'`), parsed.problem);
  }
  assert.ok('allowlist' in HostAllowlist.parse([' 10.0.0.0/8 ', 'crm.example.com.', '[fd00::1]', '::1']));
});
