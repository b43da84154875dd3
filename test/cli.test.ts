// The real `partnerdesk` command line, run as a child process against a test database: `audit verify` on an
// intact and on a tampered chain, `apikey create`, and `--help` for every command.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createApiKey, createUser } from '../src/modules/access/index.ts';
import { erasePersonalData } from '../src/modules/audit/index.ts';
import { mintClickId } from '../src/modules/tracking/index.ts';
import type { AuditLogTable } from '../src/platform/db/schema.ts';
import { systemCtx, TEST_PASSWORD } from './support/app.ts';
import { createTestDb, type TestDb } from './support/db.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI_TIMEOUT_MS = 60_000;

describe('partnerdesk CLI', () => {
  let t: TestDb;
  let total = 0;
  let userId = '';

  function cli(args: string[]): SpawnSyncReturns<string> {
    const res = spawnSync(process.execPath, ['bin/partnerdesk.js', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
      env: {
        ...process.env,
        PARTNERDESK_DATA_DIR: t.dataDir,
        // PostgreSQL on the PG pass (TEST_DATABASE_URL set), the temp SQLite data dir otherwise.
        DATABASE_URL: t.databaseUrl ?? '',
        PARTNERDESK_ADMIN_EMAIL: '',
        PARTNERDESK_ADMIN_PASSWORD: '',
        LOG_LEVEL: 'silent',
      },
    });
    if (res.error) throw res.error;
    return res;
  }

  async function row(seq: number): Promise<AuditLogTable> {
    const r = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    return { ...r, seq: Number(r.seq) };
  }

  beforeAll(async () => {
    t = await createTestDb();
    const user = await createUser(t.store, systemCtx, {
      email: 'cli.person@example.test',
      name: 'Cli Person',
      role: 'ops',
      password: TEST_PASSWORD,
    });
    userId = user.id;
    for (let i = 0; i < 250; i++)
      await createApiKey(t.store, systemCtx, { name: `cli key ${i}`, role: 'support' });
    total = (await t.store.db.selectFrom('audit_log').select('seq').execute()).length;
  }, 120_000);
  afterAll(async () => t.cleanup());

  it(
    'audit verify exits 0 on an intact chain',
    () => {
      const res = cli(['audit', 'verify']);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toContain(`Audit chain intact: ${total} entries, head #${total}`);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'audit verify exits non-zero naming an altered entry',
    async () => {
      const original = await row(123);
      await t.store.db
        .updateTable('audit_log')
        .set({ action: 'apikey.revoked' })
        .where('seq', '=', 123)
        .execute();
      try {
        const res = cli(['audit', 'verify']);
        expect(res.status).toBe(1);
        expect(res.stdout).toContain(`BROKEN at entry #123 (${original.id})`);
        expect(res.stdout).toContain('altered');
      } finally {
        await t.store.db
          .updateTable('audit_log')
          .set({ action: original.action })
          .where('seq', '=', 123)
          .execute();
      }
      expect(cli(['audit', 'verify']).status).toBe(0);
    },
    3 * CLI_TIMEOUT_MS,
  );

  it(
    'audit verify names a deleted entry (the gap) and a reordering',
    async () => {
      const deleted = await row(77);
      await t.store.db.deleteFrom('audit_log').where('seq', '=', 77).execute();
      try {
        const res = cli(['audit', 'verify']);
        expect(res.status).toBe(1);
        expect(res.stdout).toContain('entry 77 is missing');
        expect(res.stdout).toContain('#78');
      } finally {
        await t.store.db.insertInto('audit_log').values(deleted).execute();
      }

      const swap = async () => {
        await t.store.db.transaction().execute(async (trx) => {
          await trx.updateTable('audit_log').set({ seq: -1 }).where('seq', '=', 200).execute();
          await trx.updateTable('audit_log').set({ seq: 200 }).where('seq', '=', 201).execute();
          await trx.updateTable('audit_log').set({ seq: 201 }).where('seq', '=', -1).execute();
        });
      };
      await swap();
      try {
        const res = cli(['audit', 'verify']);
        expect(res.status).not.toBe(0);
        expect(res.stdout).toContain('BROKEN at entry #200');
      } finally {
        await swap();
      }
      expect(cli(['audit', 'verify']).status).toBe(0);
    },
    4 * CLI_TIMEOUT_MS,
  );

  it(
    'audit verify still passes after a personal-data erasure',
    async () => {
      await erasePersonalData(t.store, systemCtx, {
        entityType: 'user',
        entityId: userId,
        reason: 'erasure request from the CLI test',
      });
      const res = cli(['audit', 'verify']);
      expect(res.status, res.stdout).toBe(0);
      expect(res.stdout).toContain(`Audit chain intact: ${total + 1} entries`);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'apikey create prints the key as the last line, and the key works against the API',
    async () => {
      const res = cli(['apikey', 'create', '--role', 'ops', '--name', 'x']);
      expect(res.status, res.stderr).toBe(0);
      const lines = res.stdout.trim().split('\n');
      const key = lines[lines.length - 1] ?? '';
      expect(key).toMatch(/^pdk_[A-Za-z0-9_-]{43}$/);
      expect(res.stderr).toContain('shown once');

      const app = await buildApp({ store: t.store, config: t.config }, { serveWeb: false });
      try {
        const who = await app.inject({
          method: 'GET',
          url: '/api/v1/auth/session',
          headers: { authorization: `Bearer ${key}` },
        });
        expect(who.statusCode).toBe(200);
        expect(who.json().user).toMatchObject({ name: 'x', role: 'ops' });
        expect(who.json().permissions).toContain('partners.import');
        const denied = await app.inject({
          method: 'GET',
          url: '/api/v1/api-keys',
          headers: { authorization: `Bearer ${key}` },
        });
        expect(denied.statusCode).toBe(403);
      } finally {
        await app.close();
      }
      const bad = cli(['apikey', 'create', '--role', 'wizard', '--name', 'x']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--role');
    },
    3 * CLI_TIMEOUT_MS,
  );

  it(
    '--help works for every command',
    () => {
      for (const command of ['serve', 'migrate', 'seed', 'apikey', 'audit', 'simulate']) {
        const res = cli([command, '--help']);
        expect(res.status, `${command}: ${res.stderr}`).toBe(0);
        expect(res.stdout).toContain(`Usage: partnerdesk ${command}`);
      }
      const main = cli(['--help']);
      expect(main.status).toBe(0);
      expect(main.stdout).toContain('audit verify');
    },
    8 * CLI_TIMEOUT_MS,
  );

  it(
    'simulate drives traffic through a running server, prints progress and a summary, and refuses bad usage',
    async () => {
      const config = { ...t.config, trustProxy: true };
      const app = await buildApp({ store: t.store, config }, { serveWeb: false });
      try {
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const { key } = await createApiKey(t.store, systemCtx, { name: 'simulator', role: 'ops' });
        const headers = { authorization: `Bearer ${key}` };
        const admin = {
          authorization: `Bearer ${(await createApiKey(t.store, systemCtx, { name: 'cli admin', role: 'admin' })).key}`,
        };
        const partner = await app.inject({
          method: 'POST',
          url: '/api/v1/partners',
          headers: admin,
          payload: { displayName: 'Cli Sim IB' },
        });
        expect(partner.statusCode, partner.body).toBe(201);
        const link = await app.inject({
          method: 'POST',
          url: '/api/v1/links',
          headers,
          payload: {
            partnerId: partner.json().id,
            name: 'Main',
            landingUrl: 'https://broker.example/open?cid={click_id}',
          },
        });
        expect(link.statusCode, link.body).toBe(201);

        // The server runs in this process: the CLI must run asynchronously.
        const run = (args: string[], env: Record<string, string> = {}) =>
          new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(process.execPath, ['bin/partnerdesk.js', 'simulate', ...args], {
              cwd: ROOT,
              env: {
                ...process.env,
                PARTNERDESK_API_KEY: '',
                PARTNERDESK_PUBLIC_URL: '',
                LOG_LEVEL: 'silent',
                ...env,
              },
            });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d) => (stdout += d));
            child.stderr.on('data', (d) => (stderr += d));
            child.on('error', reject);
            child.on('close', (status) => resolve({ status, stdout, stderr }));
          });

        const res = await run(['--url', url, '--clicks', '80', '--seed', '5', '--concurrency', '8'], {
          PARTNERDESK_API_KEY: key,
        });
        expect(res.status, res.stderr + res.stdout).toBe(0);
        expect(res.stdout).toContain('Simulated 80 clicks on 1 link of 1 partner');
        expect(res.stdout).toMatch(/Clicks: 80 answered 302/);
        expect(res.stdout).toContain('Cli Sim IB');
        expect(res.stderr).toContain('event source "Simulator" (created');
        expect(res.stderr).toMatch(/\[done\] clicks 80\/80/);
        const clicks = await t.store.db
          .selectFrom('clicks')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('link_id', '=', link.json().id)
          .executeTakeFirstOrThrow();
        expect(Number(clicks.n)).toBe(80);

        const json = await run(['--url', url, '--api-key', key, '--clicks', '20', '--test', '--json']);
        expect(json.status, json.stderr).toBe(0);
        expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, test: true, clicks: { answered302: 20 } });

        const noKey = await run(['--url', url]);
        expect(noKey.status).toBe(2);
        expect(noKey.stderr).toContain('An API key is required');
        expect((await run(['--api-key', key, '--clicks', 'many'])).stderr).toContain(
          '--clicks must be a whole number',
        );
        const down = await run(['--url', 'http://127.0.0.1:9', '--api-key', key]);
        expect(down.status).toBe(1);
        expect(down.stderr).toContain('Cannot reach http://127.0.0.1:9');
      } finally {
        await app.close();
      }
    },
    4 * CLI_TIMEOUT_MS,
  );

  it(
    'prune-clicks deletes raw clicks older than N days, prints progress and the count, and audits the run',
    async () => {
      const day = 86_400_000;
      const now = Date.now();
      const times = [
        ...Array.from({ length: 12 }, (_, i) => now - (400 + i) * day),
        now - 10 * day,
        now - day,
        now,
      ];
      const ids = times.map((ms, i) => mintClickId(t.config.secret, 7, ms + i));
      await t.store.db
        .insertInto('clicks')
        .values(
          ids.map((id, i) => ({
            id,
            link_id: 'lnk_cli',
            partner_id: 'ptr_cli',
            ts: new Date((times[i] as number) + i).toISOString(),
            ip: null,
            user_agent: null,
            referrer: null,
            country: null,
            geo_allowed: null,
            sub1: null,
            sub2: null,
            sub3: null,
            sub4: null,
            sub5: null,
            is_bot: 0,
            is_duplicate: 0,
            is_test: 0,
          })),
        )
        .execute();
      const left = async () =>
        (await t.store.db.selectFrom('clicks').select('id').where('id', 'in', ids).execute()).length;

      const help = cli(['prune-clicks', '--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('Usage: partnerdesk prune-clicks [--older-than-days N]');
      expect(cli(['prune-clicks', '--older-than-days', '0']).status).toBe(2);
      expect(cli(['prune-clicks', '--older-than-days', 'soon']).stderr).toContain(
        '--older-than-days must be',
      );
      process.env.PARTNERDESK_CLICK_RETENTION_DAYS = '0';
      try {
        const off = cli(['prune-clicks']);
        expect(off.status).toBe(0);
        expect(off.stdout).toContain('Click retention is off');
      } finally {
        delete process.env.PARTNERDESK_CLICK_RETENTION_DAYS;
      }
      expect(await left()).toBe(15);

      const res = cli(['prune-clicks', '--older-than-days', '365']);
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr).toContain('deleted 12 (1 chunk)');
      expect(res.stdout).toMatch(
        /^Pruned 12 raw clicks older than 365 days \(before \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
      );
      expect(await left()).toBe(3);
      const entry = await t.store.db
        .selectFrom('audit_log')
        .select(['action', 'actor_type'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(entry).toEqual({ action: 'clicks.pruned', actor_type: 'system' });

      // The default is PARTNERDESK_CLICK_RETENTION_DAYS (180): nothing that old is left.
      const again = cli(['prune-clicks']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain('Pruned 0 raw clicks older than 180 days');
      expect(await left()).toBe(3);
      expect(cli(['audit', 'verify']).status).toBe(0);
    },
    8 * CLI_TIMEOUT_MS,
  );
});
