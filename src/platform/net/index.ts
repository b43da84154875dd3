// SSRF-safe outbound HTTP: the blocked address ranges and a client that resolves once, checks every
// address, connects to the checked one and never follows redirects.
export {
  BLOCKED_V4,
  type BlockVerdict,
  classifyAddress,
  isBlockedAddress,
  parseIPv4,
  parseIPv6,
} from './ip-ranges.ts';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TOTAL_TIMEOUT_MS,
  type Destination,
  type NetError,
  type NetErrorKind,
  NetRefusal,
  parseOutboundUrl,
  type ResolvedAddress,
  type Resolver,
  resolveDestination,
  type SafeRequest,
  type SafeResponse,
  safeRequest,
  systemResolver,
} from './safe-http.ts';
