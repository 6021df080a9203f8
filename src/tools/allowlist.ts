import { BlockList, isIP } from 'node:net';

/** Resolves a host name to all its addresses (the shape of `dns.promises.lookup(host, { all: true })`). */
export type LookupAll = (host: string) => Promise<readonly { address: string; family: number }[]>;

// node:dns is loaded on the first lookup, not at call start.
const defaultLookup: LookupAll = (host) => process.getBuiltinModule('node:dns').promises.lookup(host, { all: true });

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Strips the brackets of an IPv6 URL host and the trailing dot of a fully qualified name. */
/** A DNS name; the last label is never all digits (that is a mistyped address). */
function isHostName(host: string): boolean {
  return HOST_NAME.test(host) && !/(?:^|\.)\d+$/.test(host);
}

function bareHost(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return unbracketed.toLowerCase().replace(/\.$/, '');
}

function ipType(address: string): 'ipv4' | 'ipv6' | undefined {
  const family = isIP(address);
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : undefined;
}

/**
 * The hosts business tools may call (`tool_allowed_hosts`): exact host names, IP addresses and
 * networks. Loopback (127.0.0.0/8, ::1, `localhost`) is always allowed. A name that is not listed
 * is resolved, and allowed only when every address it resolves to is inside an allowed network.
 *
 * The check and the request resolve the name separately: a name whose DNS answer changes between
 * the two (rebinding) is only as trustworthy as the resolver.
 */
export class HostAllowlist {
  readonly entries: readonly string[];
  private readonly names: ReadonlySet<string>;
  private readonly networks: BlockList;
  private readonly lookup: LookupAll;

  private constructor(entries: readonly string[], names: ReadonlySet<string>, networks: BlockList, lookup: LookupAll) {
    this.entries = entries;
    this.names = names;
    this.networks = networks;
    this.lookup = lookup;
  }

  /**
   * Parses the admin's entries; the problem names the first bad entry. `lookup` replaces the
   * system resolver (tests).
   */
  static parse(entries: readonly string[], options: { lookup?: LookupAll } = {}): { allowlist: HostAllowlist } | { problem: string } {
    const names = new Set<string>(['localhost']);
    const networks = new BlockList();
    networks.addSubnet('127.0.0.0', 8, 'ipv4');
    networks.addAddress('::1', 'ipv6');
    const kept: string[] = [];
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      const problem = HostAllowlist.addEntry(entry, names, networks);
      if (problem !== undefined) return { problem: `tool_allowed_hosts entry '${raw}': ${problem}` };
      kept.push(entry);
    }
    return { allowlist: new HostAllowlist(kept, names, networks, options.lookup ?? defaultLookup) };
  }

  private static addEntry(entry: string, names: Set<string>, networks: BlockList): string | undefined {
    if (entry === '') return 'empty; remove it';
    if (entry.includes('*')) return 'wildcards are not supported; list each host name';
    if (entry.includes('://')) return 'list the host alone, without scheme, port or path';
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const address = entry.slice(0, slash);
      const prefixText = entry.slice(slash + 1);
      const type = ipType(address);
      if (type === undefined && isHostName(address)) return 'list the host alone, without a path';
      if (type === undefined) return 'a network must be an IP address and a prefix length, like 10.0.0.0/8 or fd00::/8';
      const maxPrefix = type === 'ipv4' ? 32 : 128;
      const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      if (!(prefix >= 0 && prefix <= maxPrefix)) return `the prefix length must be 0 to ${maxPrefix}`;
      networks.addSubnet(address, prefix, type);
      return undefined;
    }
    const host = bareHost(entry);
    const type = ipType(host);
    if (type !== undefined) {
      networks.addAddress(host, type);
      return undefined;
    }
    if (host.includes(':')) return 'list the host alone, without port';
    if (!isHostName(host)) return 'not a host name, IP address or network (like crm.example.com, 10.0.0.5 or 10.0.0.0/8)';
    names.add(host);
    return undefined;
  }

  /** Undefined when `url` may be requested, otherwise a short reason (for logs, not for the caller). */
  async check(url: URL): Promise<string | undefined> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not http or https`;
    const host = bareHost(url.hostname);
    if (host === '') return 'the URL has no host';
    const type = ipType(host);
    if (type !== undefined) {
      return this.networks.check(host, type) ? undefined : `${host} is not in tool_allowed_hosts`;
    }
    if (this.names.has(host)) return undefined;
    let addresses: readonly { address: string; family: number }[];
    try {
      addresses = await this.lookup(host);
    } catch {
      return `${host} is not in tool_allowed_hosts and could not be resolved`;
    }
    if (addresses.length === 0) return `${host} is not in tool_allowed_hosts and resolved to no address`;
    for (const { address } of addresses) {
      const addressType = ipType(address);
      if (addressType === undefined || !this.networks.check(address, addressType)) {
        return `${host} resolves to ${address}, which is not in tool_allowed_hosts`;
      }
    }
    return undefined;
  }

  /** One line for doctor and logs, e.g. `loopback, crm.example.com, 10.0.0.0/8`. */
  describe(): string {
    return ['loopback', ...this.entries].join(', ');
  }
}
