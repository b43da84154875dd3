// Configuration comes from the environment only, validated once at start. Every message says what is
// wrong and how to fix it, because the first reader of these errors is an operator at a terminal.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Config {
  dataDir: string;
  databaseUrl: string | null; // null = embedded SQLite in dataDir
  port: number;
  host: string;
  secret: string;
  adminEmail: string | null;
  adminPassword: string | null;
  allowPrivateNetwork: boolean;
  /** Run background workers (outbound postback delivery) in this process; PARTNERDESK_WORKERS=false turns them off. */
  workers: boolean;
  trustProxy: boolean;
  /** Answer GET /c/{code} and GET /postback on the lean path in front of Fastify (PARTNERDESK_HOT_PATH, default true). */
  hotPath: boolean;
  logLevel: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  maxUploadBytes: number;
  /** Public origin of tracking links (PARTNERDESK_PUBLIC_URL, e.g. https://track.example.com); null = the request's own. */
  publicUrl: string | null;
  /** A local GeoIP CSV (PARTNERDESK_GEOIP_CSV: start_ip,end_ip,ISO2 per line); null = clicks get no country. */
  geoipCsv: string | null;
  /** Days raw clicks are kept (PARTNERDESK_CLICK_RETENTION_DAYS, default 180); 0 = keep for ever. Rollups are kept regardless. */
  clickRetentionDays: number;
  /** Clicks per second allowed per client IP on /c/{code} (PARTNERDESK_CLICK_RATE_PER_IP, default 20); 0 = no limit. */
  clickRatePerIp: number;
  /** Clicks one IP may make at once before the per-second rate applies (PARTNERDESK_CLICK_BURST_PER_IP, default 100). */
  clickBurstPerIp: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max} (unset it to use ${fallback}).`);
    return fallback;
  }
  return Number(raw);
}

function boolVar(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name}="${raw}" must be "true" or "false".`);
  return false;
}

/** Reads and validates the environment. Creates the data directory and the instance secret when absent. */
export function loadConfig(env: Env = process.env, opts: { createDataDir?: boolean } = {}): Config {
  const problems: string[] = [];
  const dataDir = path.resolve(env.PARTNERDESK_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push(
      `DATABASE_URL="${redactUrl(databaseUrl)}" is not a PostgreSQL URL. Use postgres://user:password@host:5432/database, or unset it to use the embedded SQLite database in ${dataDir}.`,
    );
  }
  const port = intVar(env, 'PORT', 3000, 1, 65535, problems);
  const host = env.HOST || '0.0.0.0';
  const adminEmail = env.PARTNERDESK_ADMIN_EMAIL?.trim().toLowerCase() || null;
  const adminPassword = env.PARTNERDESK_ADMIN_PASSWORD || null;
  if (adminEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    problems.push(`PARTNERDESK_ADMIN_EMAIL="${adminEmail}" is not an email address.`);
  }
  if (adminPassword !== null && adminPassword.length < 12) {
    problems.push('PARTNERDESK_ADMIN_PASSWORD must be at least 12 characters long.');
  }
  if ((adminEmail === null) !== (adminPassword === null)) {
    problems.push('Set both PARTNERDESK_ADMIN_EMAIL and PARTNERDESK_ADMIN_PASSWORD, or neither (a login is then generated).');
  }
  const secretEnv = env.PARTNERDESK_SECRET;
  if (secretEnv !== undefined && secretEnv !== '' && secretEnv.length < 32) {
    problems.push('PARTNERDESK_SECRET must be at least 32 characters (or unset it and one is generated in the data directory).');
  }
  const allowPrivateNetwork = boolVar(env, 'PARTNERDESK_ALLOW_PRIVATE_NETWORK', problems);
  const workers = env.PARTNERDESK_WORKERS ? boolVar(env, 'PARTNERDESK_WORKERS', problems) : true;
  const trustProxy = boolVar(env, 'PARTNERDESK_TRUST_PROXY', problems);
  const hotPath = env.PARTNERDESK_HOT_PATH ? boolVar(env, 'PARTNERDESK_HOT_PATH', problems) : true;
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL="${logLevel}" must be one of fatal, error, warn, info, debug, trace, silent.`);
  }
  const sessionIdleMinutes = intVar(env, 'PARTNERDESK_SESSION_IDLE_MINUTES', 30, 1, 24 * 60, problems);
  const sessionAbsoluteHours = intVar(env, 'PARTNERDESK_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30, problems);
  const maxUploadBytes = intVar(env, 'PARTNERDESK_MAX_UPLOAD_MB', 20, 1, 1024, problems) * 1024 * 1024;
  let publicUrl: string | null = env.PARTNERDESK_PUBLIC_URL?.trim() || null;
  if (publicUrl) {
    let u: URL | null = null;
    try {
      u = new URL(publicUrl);
    } catch {
      u = null;
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username) {
      problems.push(`PARTNERDESK_PUBLIC_URL="${publicUrl}" must be an http(s) origin such as https://track.example.com (no query or fragment).`);
    } else publicUrl = publicUrl.replace(/\/+$/, '');
  }
  const geoipCsv = env.PARTNERDESK_GEOIP_CSV?.trim() ? path.resolve(env.PARTNERDESK_GEOIP_CSV.trim()) : null;
  if (geoipCsv && !existsSync(geoipCsv)) {
    problems.push(`PARTNERDESK_GEOIP_CSV="${geoipCsv}" does not exist. Point it at a CSV of start_ip,end_ip,country lines, or unset it.`);
  }
  const clickRetentionDays = intVar(env, 'PARTNERDESK_CLICK_RETENTION_DAYS', 180, 0, 36_500, problems);
  const clickRatePerIp = intVar(env, 'PARTNERDESK_CLICK_RATE_PER_IP', 20, 0, 1_000_000, problems);
  const clickBurstPerIp = intVar(env, 'PARTNERDESK_CLICK_BURST_PER_IP', 100, 1, 1_000_000, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  if (opts.createDataDir !== false) {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      throw new ConfigError([
        `PARTNERDESK_DATA_DIR="${dataDir}" cannot be created (${(err as Error).message}). Point it at a writable directory.`,
      ]);
    }
  }
  const secret = secretEnv || readOrCreateSecret(dataDir);
  return {
    dataDir,
    databaseUrl,
    port,
    host,
    secret,
    adminEmail,
    adminPassword,
    allowPrivateNetwork,
    workers,
    trustProxy,
    hotPath,
    logLevel,
    sessionIdleMinutes,
    sessionAbsoluteHours,
    maxUploadBytes,
    publicUrl,
    geoipCsv,
    clickRetentionDays,
    clickRatePerIp,
    clickBurstPerIp,
  };
}

function readOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
