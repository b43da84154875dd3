// Which IP addresses an outbound call from Partnerdesk may reach. Anything that is not a public unicast
// address is refused: private networks, loopback, link-local (cloud metadata at 169.254.169.254), CGNAT,
// documentation and benchmark ranges, multicast, reserved space, and the IPv6 forms that smuggle an IPv4
// address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo). The check is pure; resolving names is the
// caller's job (safe-http.ts resolves once and connects to the address it checked).
import { isIPv4, isIPv6 } from 'node:net';

interface V4Range {
  base: number;
  bits: number;
  name: string;
}

function v4(cidr: string, name: string): V4Range {
  const [addr, bits] = cidr.split('/') as [string, string];
  return { base: parseIPv4(addr) as number, bits: Number(bits), name };
}

/** Blocked IPv4 ranges (RFC 6890 special-purpose space that must never be a postback destination). */
export const BLOCKED_V4: readonly V4Range[] = [
  v4('0.0.0.0/8', 'this network (0.0.0.0/8)'),
  v4('10.0.0.0/8', 'private network (10.0.0.0/8)'),
  v4('100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10)'),
  v4('127.0.0.0/8', 'loopback (127.0.0.0/8)'),
  v4('168.63.129.16/32', 'cloud platform service address (168.63.129.16)'),
  v4('169.254.0.0/16', 'link-local / cloud metadata (169.254.0.0/16)'),
  v4('172.16.0.0/12', 'private network (172.16.0.0/12)'),
  v4('192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'),
  v4('192.0.2.0/24', 'documentation (192.0.2.0/24)'),
  v4('192.88.99.0/24', '6to4 relay anycast (192.88.99.0/24)'),
  v4('192.168.0.0/16', 'private network (192.168.0.0/16)'),
  v4('198.18.0.0/15', 'benchmarking (198.18.0.0/15)'),
  v4('198.51.100.0/24', 'documentation (198.51.100.0/24)'),
  v4('203.0.113.0/24', 'documentation (203.0.113.0/24)'),
  v4('224.0.0.0/4', 'multicast (224.0.0.0/4)'),
  v4('240.0.0.0/4', 'reserved (240.0.0.0/4)'),
  v4('255.255.255.255/32', 'broadcast (255.255.255.255)'),
];

/** Parses dotted-quad IPv4 (the canonical form the URL parser and DNS give) to an unsigned 32-bit number. */
export function parseIPv4(text: string): number | null {
  if (!isIPv4(text)) return null;
  const parts = text.split('.').map(Number);
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function inV4(n: number, r: V4Range): boolean {
  if (r.bits === 0) return true;
  const mask = r.bits === 32 ? 0xffffffff : ~((1 << (32 - r.bits)) - 1) >>> 0;
  return (n & mask) >>> 0 === (r.base & mask) >>> 0;
}

/** Parses any valid IPv6 text (with :: and an optional trailing dotted IPv4) into eight 16-bit groups. */
export function parseIPv6(text: string): number[] | null {
  const addr = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!isIPv6(addr)) return null;
  let s = addr.split('%')[0] as string; // a zone id is not part of the address
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // A trailing dotted IPv4 becomes the last two hex groups.
    const n = parseIPv4(last);
    if (n === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const hex = (part: string) => (part === '' ? [] : part.split(':').map((h) => Number.parseInt(h, 16)));
  const double = s.indexOf('::');
  if (double < 0) {
    const groups = hex(s);
    return groups.length === 8 ? groups : null;
  }
  const head = hex(s.slice(0, double));
  const rest = hex(s.slice(double + 2));
  const zeros = 8 - head.length - rest.length;
  if (zeros < 1) return null;
  return [...head, ...new Array<number>(zeros).fill(0), ...rest];
}

function embeddedV4(g: number[], from: number): string {
  return formatIPv4((((g[from] as number) << 16) | (g[from + 1] as number)) >>> 0);
}

export interface BlockVerdict {
  blocked: boolean;
  /** Why it is blocked ("loopback (127.0.0.0/8)"), or null when the address is public. */
  reason: string | null;
}

const PUBLIC: BlockVerdict = { blocked: false, reason: null };
const block = (reason: string): BlockVerdict => ({ blocked: true, reason });

/** Is the address (IPv4 or IPv6 text, brackets allowed) outside the public internet? Unparseable = blocked. */
export function classifyAddress(address: string): BlockVerdict {
  const n = parseIPv4(address);
  if (n !== null) {
    for (const r of BLOCKED_V4) if (inV4(n, r)) return block(r.name);
    return PUBLIC;
  }
  const g = parseIPv6(address);
  if (!g) return block('not an IP address');
  const [g0, g1, g2, g3, g4, g5] = g as [number, number, number, number, number, number];
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (firstSixZero && g[6] === 0 && g[7] === 0) return block('unspecified address (::)');
  if (firstSixZero && g[6] === 0 && g[7] === 1) return block('loopback (::1)');
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    const inner = classifyAddress(embeddedV4(g, 6));
    return inner.blocked ? block(`IPv4-mapped ${embeddedV4(g, 6)}: ${inner.reason}`) : PUBLIC;
  }
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return block('IPv4-translated address (::ffff:0:0:0/96)');
  }
  if (firstSixZero) return block(`IPv4-compatible address (deprecated) embedding ${embeddedV4(g, 6)}`);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return block('NAT64 (64:ff9b::/96)');
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return block('local NAT64 (64:ff9b:1::/48)');
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return block('discard-only (100::/64)');
  if (g0 === 0x2001 && g1 === 0) return block('Teredo (2001::/32)');
  if (g0 === 0x2001 && (g1 & 0xfff0) === 0x0010) return block('ORCHID (2001:10::/28)');
  if (g0 === 0x2001 && g1 === 0x0db8) return block('documentation (2001:db8::/32)');
  if (g0 === 0x2002) return block(`6to4 (2002::/16) embedding ${embeddedV4(g, 1)}`);
  if (g0 === 0x3fff && g1 < 0x1000) return block('documentation (3fff::/20)');
  if ((g0 & 0xfe00) === 0xfc00) return block('unique local (fc00::/7)');
  if ((g0 & 0xffc0) === 0xfe80) return block('link-local (fe80::/10)');
  if ((g0 & 0xffc0) === 0xfec0) return block('site-local (fec0::/10)');
  if ((g0 & 0xff00) === 0xff00) return block('multicast (ff00::/8)');
  return PUBLIC;
}

export function isBlockedAddress(address: string): boolean {
  return classifyAddress(address).blocked;
}
