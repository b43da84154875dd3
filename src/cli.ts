// The `partnerdesk` command line: serve, migrate, seed, apikey, audit. Each command has --help.
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { createApiKey } from './modules/access/index.ts';
import { prepareWorkspace } from './modules/workspace.ts';
import { seedDemo } from './modules/demo/index.ts';
import { formatSummary, progressLine, SimulateError, simulate } from './modules/simulate/index.ts';
import { pruneClicks } from './modules/tracking/retention.ts';
import { systemActor } from './platform/auth/actor.ts';
import { seedDefaultGrants } from './platform/auth/grants.ts';
import { PERMISSION_NAMES, ROLES, isRole } from './platform/auth/permissions.ts';
import { verifyAuditChain } from './platform/audit/verify.ts';
import { type Config, ConfigError, loadConfig, redactUrl } from './platform/config.ts';
import { type DbHandle, migrateToLatest, openDatabase } from './platform/db/index.ts';
import { AppError } from './platform/errors.ts';

const HELP: Record<string, string> = {
  main: `partnerdesk — the partnerships department's operating system

Usage: partnerdesk <command> [options]

Commands:
  serve                 Apply pending migrations, then start the server (web UI and API)
  migrate               Apply pending database migrations and exit
  seed --demo           Load the demo workspace (200+ partners, users of every role)
  apikey create         Create an API key: --role ROLE --name NAME (prints the key once)
  audit verify          Verify the audit log's hash chain (exit 0 when intact)
  backup --out DIR      Online backup of the data directory (SQLite database, documents, secret)
  prune-clicks          Delete raw clicks older than the retention (daily stats are kept)
  simulate              Drive realistic clicks and events through a running server's endpoints

Run "partnerdesk <command> --help" for a command's options.
Configuration comes from the environment: PARTNERDESK_DATA_DIR (default ./data), DATABASE_URL
(postgres://... switches to PostgreSQL), PORT (default 3000), PARTNERDESK_SECRET. See docs/OPERATIONS.md.`,
  serve: `Usage: partnerdesk serve [--offer-demo]

Applies pending migrations, creates the first admin on an empty database (printing its login once, or
using PARTNERDESK_ADMIN_EMAIL / PARTNERDESK_ADMIN_PASSWORD), then listens on PORT (default 3000).
  --offer-demo   On an empty workspace, offer to load the demo data (asks on a terminal; set
                 PARTNERDESK_DEMO=yes to load it without asking, or no to skip).`,
  migrate: `Usage: partnerdesk migrate

Applies every pending migration in order and records it. Safe to run on every deploy and from several
instances at once (migrations take a lock).`,
  seed: `Usage: partnerdesk seed --demo [--partners N]

Loads the demo workspace: partners of every type over every onboarding stage, IB hierarchies, contacts,
documents, versioned terms, and one user of every role with a known demo password (printed).
  --partners N   How many partners to create (default 240).`,
  apikey: `Usage: partnerdesk apikey create --role ROLE --name NAME [--partner PARTNER_ID]

Creates an API key with the given role and prints it once, as the last line of output. Only its hash is
kept; store it now. Roles: ${ROLES.join(', ')}.`,
  backup: `Usage: partnerdesk backup --out DIR

Takes a consistent online backup while the server runs: the SQLite database (page by page), the uploaded
documents and the instance secret, plus BACKUP.txt with the audit chain head to keep as a checkpoint.
On PostgreSQL it copies documents and the secret and tells you to run pg_dump for the database.`,
  'prune-clicks': `Usage: partnerdesk prune-clicks [--older-than-days N]

Deletes raw clicks older than N days (default PARTNERDESK_CLICK_RETENTION_DAYS, 180) in chunks of 5,000
rows, one short transaction each, printing progress, then the count. Daily stats (click rollups) are kept,
and a click id still proves its time, link and partner after its raw click is gone. Records one
"clicks.pruned" audit entry per run. Safe while the server runs; a running server with workers on does
this daily by itself.
  --older-than-days N   Prune clicks older than N days (a whole number, at least 1).`,
  simulate: `Usage: partnerdesk simulate [--url URL] [--api-key KEY] [--clicks N] [options]

Drives realistic traffic through the real endpoints of a running server: clicks on its active tracking links
(GET /c/{code}, with sub-IDs, bots and repeat visitors), then the clients some clicks become — registrations,
KYC, FTDs, deposits, withdrawals, trades by instrument group, chargebacks — through GET /postback and JSON
batches (POST /api/v1/events), with ~2% replays that must answer "duplicate". Progress goes to stderr, the
summary to stdout. Exits 1 when any request failed unexpectedly (5xx, network, a refused event, a replay
not answered "duplicate"), naming it. The model is described in src/modules/simulate/model.ts.
  --url URL            The server (default PARTNERDESK_PUBLIC_URL, else http://127.0.0.1:PORT)
  --api-key KEY        An ops or admin API key (default PARTNERDESK_API_KEY); see "partnerdesk apikey create"
  --source-token TOKEN Send events as this event source (default: the source "Simulator", created or
                       given a new token)
  --clicks N           Total clicks (default 2000)
  --rate R             Clicks per second (default: as fast as the concurrency allows)
  --concurrency C      Requests in flight at once (default 20)
  --partners K         Only the links of the first K partners (in id order)
  --seed S             Seed of the traffic model (default random; printed, so a run can be repeated)
  --test               Mark every event as a test event (never counted in stats or money)
  --json               Print the summary as JSON instead of text
The server limits clicks per IP (PARTNERDESK_CLICK_RATE_PER_IP). Start it with PARTNERDESK_TRUST_PROXY=true
so the simulated visitors' X-Forwarded-For addresses count, or the simulator waits out the limit.`,
  audit: `Usage: partnerdesk audit verify

Walks the audit log in order and checks every entry's hash and its link to the previous one. Exits 0
when the chain is intact; exits 1 and names the first bad entry when one was altered, removed or reordered.`,
};

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}
function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function open(config: Config): Promise<DbHandle> {
  const handle = openDatabase(config);
  try {
    const { applied } = await migrateToLatest(handle.db);
    if (applied.length > 0) err(`Applied migrations: ${applied.join(', ')}`);
    await seedDefaultGrants(handle.db);
  } catch (e) {
    await handle.close();
    throw e;
  }
  return handle;
}

async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}

function printDemoUsers(users: { email: string; role: string }[], password: string): void {
  out('');
  out('Demo users (all share the demo password):');
  for (const u of users) out(`  ${u.role.padEnd(11)} ${u.email}`);
  out(`  password:   ${password}`);
}

async function cmdServe(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'offer-demo': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return out(HELP.serve), 0;
  const config = loadConfig();
  const handle = await open(config);
  const store = { db: handle.db, dialect: handle.dialect };
  const boot = await prepareWorkspace(store, config);
  if (boot.createdAdmin) {
    out('');
    out('First start: created the administrator account.');
    out(`  email:    ${boot.createdAdmin.email}`);
    out(`  password: ${boot.createdAdmin.password ?? '(from PARTNERDESK_ADMIN_PASSWORD)'}`);
    if (boot.createdAdmin.password) out('  This password is shown only once. Sign in and change it.');
  }
  if (values['offer-demo']) {
    const partners = await handle.db.selectFrom('partners').select('id').limit(1).executeTakeFirst();
    if (!partners) {
      const env = process.env.PARTNERDESK_DEMO?.toLowerCase();
      let load = env === 'yes' || env === 'true' || env === '1';
      if (env === undefined && process.stdin.isTTY) {
        load = await askYesNo('\nThe workspace is empty. Load the demo workspace (240 partners, users of every role)? [Y/n] ');
      } else if (env === undefined) {
        out('The workspace is empty. Run "npx partnerdesk seed --demo" (or set PARTNERDESK_DEMO=yes) to load demo data.');
      }
      if (load) {
        const result = await seedDemo(store, config, { partners: 240, onProgress: (m) => err(m) });
        printDemoUsers(result.users, result.password);
      }
    }
  }
  const app = await buildApp(
    { store, config },
    { logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'] } },
  );
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const where = handle.dialect === 'sqlite' ? handle.location : redactUrl(handle.location);
  out('');
  out(`Partnerdesk is running at http://localhost:${config.port}/  (database: ${handle.dialect}, ${where})`);
  out(`API reference: http://localhost:${config.port}/api/docs   Stop with Ctrl+C.`);
  return -1; // keep running
}

async function cmdMigrate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) return out(HELP.migrate), 0;
  const config = loadConfig();
  const handle = openDatabase(config);
  try {
    const { applied } = await migrateToLatest(handle.db);
    out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await handle.close();
  }
}

async function cmdSeed(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { demo: { type: 'boolean' }, partners: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return out(HELP.seed), 0;
  if (!values.demo) {
    err('Say what to seed: "partnerdesk seed --demo".');
    return 2;
  }
  const count = values.partners ? Number(values.partners) : 240;
  if (!Number.isInteger(count) || count < 10 || count > 100_000) {
    err('--partners must be a whole number from 10 to 100000.');
    return 2;
  }
  const config = loadConfig();
  const handle = await open(config);
  try {
    const store = { db: handle.db, dialect: handle.dialect };
    await prepareWorkspace(store, config);
    const result = await seedDemo(store, config, { partners: count, onProgress: (m) => err(m) });
    out(`Loaded the demo workspace: ${result.partners} partners.`);
    printDemoUsers(result.users, result.password);
    return 0;
  } finally {
    await handle.close();
  }
}

async function cmdApikey(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      partner: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || sub === '--help' || sub === '-h') return out(HELP.apikey), 0;
  if (sub !== 'create') {
    err(`Unknown apikey command "${sub ?? ''}". ${HELP.apikey}`);
    return 2;
  }
  if (!values.role || !isRole(values.role)) {
    err(`--role is required and must be one of: ${ROLES.join(', ')}.`);
    return 2;
  }
  if (!values.name?.trim()) {
    err('--name is required (say what system will use the key).');
    return 2;
  }
  const config = loadConfig();
  const handle = await open(config);
  try {
    const store = { db: handle.db, dialect: handle.dialect };
    const ctx = { actor: systemActor(PERMISSION_NAMES, 'cli'), requestId: null };
    const { key, apiKey } = await createApiKey(store, ctx, { name: values.name, role: values.role, partnerId: values.partner ?? null });
    err(`Created API key ${apiKey.id} "${apiKey.name}" with role ${apiKey.role}. It is shown once; store it now.`);
    out(key);
    return 0;
  } finally {
    await handle.close();
  }
}

async function cmdAudit(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help || sub === '--help' || sub === '-h') return out(HELP.audit), 0;
  if (sub !== 'verify') {
    err(`Unknown audit command "${sub ?? ''}". ${HELP.audit}`);
    return 2;
  }
  const config = loadConfig();
  const handle = openDatabase(config);
  try {
    const result = await verifyAuditChain(handle.db, (n) => {
      if (process.stderr.isTTY) process.stderr.write(`\rchecked ${n} entries`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (result.ok) {
      out(`Audit chain intact: ${result.checked} entries, head #${result.headSeq} ${result.headHash}`);
      return 0;
    }
    const bad = result.firstBad;
    out(`Audit chain BROKEN at entry #${bad?.seq} (${bad?.id}): ${bad?.problem}.`);
    out(`The ${result.checked} entries before it verify; the last good head is #${result.headSeq} ${result.headHash}.`);
    return 1;
  } finally {
    await handle.close();
  }
}

async function cmdBackup(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return out(HELP.backup), 0;
  if (!values.out) {
    err('--out DIR is required (a new or empty directory).');
    return 2;
  }
  const target = path.resolve(values.out);
  if (existsSync(target) && readdirSync(target).length > 0) {
    err(`${target} is not empty; choose a new directory so no backup is overwritten.`);
    return 2;
  }
  mkdirSync(target, { recursive: true });
  const config = loadConfig();
  const handle = openDatabase(config);
  try {
    const started = Date.now();
    if (handle.sqlite) {
      await handle.sqlite.backup(path.join(target, 'partnerdesk.sqlite'), {
        progress: ({ totalPages, remainingPages }) => {
          if (process.stderr.isTTY) process.stderr.write(`\rdatabase: ${totalPages - remainingPages}/${totalPages} pages`);
          return 200;
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
    } else {
      out('PostgreSQL: back the database up with pg_dump -Fc "$DATABASE_URL" > partnerdesk.dump; copying documents and the secret.');
    }
    // Documents after the database: every committed row's file already exists and never changes.
    const docs = path.join(config.dataDir, 'documents');
    if (existsSync(docs)) cpSync(docs, path.join(target, 'documents'), { recursive: true, filter: (src) => !src.includes(`${path.sep}tmp`) });
    const secretFile = path.join(config.dataDir, 'secret.key');
    if (existsSync(secretFile)) cpSync(secretFile, path.join(target, 'secret.key'));
    const chain = await verifyAuditChain(handle.db);
    writeFileSync(
      path.join(target, 'BACKUP.txt'),
      `Partnerdesk backup taken ${new Date().toISOString()}\naudit head #${chain.headSeq} ${chain.headHash} (${chain.ok ? 'intact' : 'BROKEN'})\n`,
    );
    out(`Backup written to ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s. Audit head #${chain.headSeq} ${chain.headHash}.`);
    out('Restore: stop the server, copy these files into an empty data directory, start it, run "partnerdesk audit verify".');
    return 0;
  } finally {
    await handle.close();
  }
}

async function cmdPruneClicks(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'older-than-days': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    out(HELP['prune-clicks']);
    return 0;
  }
  const config = loadConfig();
  let days = config.clickRetentionDays;
  const given = values['older-than-days'];
  if (given !== undefined) {
    if (!/^\d+$/.test(given) || Number(given) < 1 || Number(given) > 36_500) {
      err('--older-than-days must be a whole number from 1 to 36500.');
      return 2;
    }
    days = Number(given);
  } else if (days === 0) {
    out('Click retention is off (PARTNERDESK_CLICK_RETENTION_DAYS=0): nothing pruned. Pass --older-than-days N to prune anyway.');
    return 0;
  }
  const handle = await open(config);
  try {
    const store = { db: handle.db, dialect: handle.dialect };
    err(`Pruning raw clicks older than ${days} days…`);
    const result = await pruneClicks(store, {
      olderThanDays: days,
      onChunk: (deleted, chunks) => err(`  deleted ${deleted} (${chunks} chunk${chunks === 1 ? '' : 's'})`),
    });
    out(
      `Pruned ${result.deleted} raw click${result.deleted === 1 ? '' : 's'} older than ${days} days (before ${result.cutoff}) in ${(result.ms / 1000).toFixed(1)} s. Daily stats are kept.`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}

async function cmdSimulate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'source-token': { type: 'string' },
      clicks: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      partners: { type: 'string' },
      seed: { type: 'string' },
      test: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(HELP.simulate);
    return 0;
  }
  const whole = (
    name: string,
    v: string | undefined,
    def: number | null,
    min: number,
    max: number,
  ): number | null => {
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max}.`);
    return Number(v);
  };
  let opts: Parameters<typeof simulate>[0];
  try {
    const port = process.env.PORT?.trim() || '3000';
    const url = values.url ?? (process.env.PARTNERDESK_PUBLIC_URL?.trim() || `http://127.0.0.1:${port}`);
    if (!/^https?:\/\/[^/]+\/?$/.test(url))
      throw new UsageError(`--url must be an http(s) origin such as http://127.0.0.1:3000 (got "${url}").`);
    const apiKey = values['api-key'] ?? process.env.PARTNERDESK_API_KEY?.trim();
    if (!apiKey)
      throw new UsageError(
        'An API key is required: --api-key KEY or PARTNERDESK_API_KEY (create one with "partnerdesk apikey create --role ops --name Simulator").',
      );
    const rate = values.rate === undefined ? null : Number(values.rate);
    if (rate !== null && !(Number.isFinite(rate) && rate > 0 && rate <= 1_000_000))
      throw new UsageError('--rate must be a positive number of clicks per second.');
    opts = {
      url,
      apiKey,
      sourceToken: values['source-token'] ?? null,
      clicks: whole('clicks', values.clicks, 2000, 1, 10_000_000) as number,
      rate,
      concurrency: whole('concurrency', values.concurrency, 20, 1, 1000) as number,
      partners: whole('partners', values.partners, null, 1, 1_000_000),
      seed: whole('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1) as number,
      test: values.test ?? false,
    };
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  try {
    const summary = await simulate({
      ...opts,
      onNote: (m) => {
        if (tty) process.stderr.write('\r\x1b[K');
        err(m);
      },
      onProgress: (p, final) => {
        if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}${final ? '\n' : ''}`);
        else if (final || Date.now() - lastLine >= 5000) {
          lastLine = Date.now();
          err(progressLine(p));
        }
      },
    });
    if (values.json) {
      const { acceptedEventIds: _ids, ...rest } = summary;
      out(JSON.stringify(rest, null, 2));
    } else for (const line of formatSummary(summary)) out(line);
    return summary.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof SimulateError) {
      if (tty) process.stderr.write('\n');
      err(e.message);
      return 1;
    }
    throw e;
  }
}

class UsageError extends Error {}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  serve: cmdServe,
  migrate: cmdMigrate,
  seed: cmdSeed,
  apikey: cmdApikey,
  audit: cmdAudit,
  backup: cmdBackup,
  'prune-clicks': cmdPruneClicks,
  simulate: cmdSimulate,
};

/** Runs a command; returns the exit code, or -1 when the command keeps running (serve). */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    err(`Unknown command "${command}".\n\n${HELP.main}`);
    return 2;
  }
  try {
    const code = await run(args);
    return code === -1 ? undefined : code;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 78;
    }
    if (e instanceof AppError) {
      err(`${e.message}${e.errors.length ? `\n${e.errors.map((x) => `  - ${x.field}: ${x.message}`).join('\n')}` : ''}`);
      return 1;
    }
    if (e instanceof Error && /ECONNREFUSED|ENOTFOUND|password authentication|does not exist/.test(e.message)) {
      err(`Cannot reach the database: ${e.message}. Check DATABASE_URL and that PostgreSQL is running.`);
      return 69;
    }
    if (e instanceof TypeError && /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(String((e as { code?: string }).code ?? e.message))) {
      err(`${e.message}. Run "partnerdesk ${command} --help".`);
      return 2;
    }
    throw e;
  }
}
