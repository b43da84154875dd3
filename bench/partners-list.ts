// Benchmark: partner list queries on 50,000 partners in a temporary SQLite database, against a baseline
// measured in the same run (`select id from partners order by id limit 50`). Prints p50/p95 per scenario and
// the ratio of each p50 to the baseline p50. Run: npm run bench:partners [-- --partners 50000 --runs 200]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createUser } from '../src/modules/access/index.ts';
import { type PartnerListQuery, partnerListQuerySchema } from '../src/modules/partners/partner.schemas.ts';
import { searchTextOf } from '../src/modules/partners/partner.service.ts';
import { encodeCursor, listPartners, sortSpec } from '../src/modules/partners/partner-list.ts';
import { systemActor } from '../src/platform/auth/actor.ts';
import { PERMISSION_NAMES } from '../src/platform/auth/permissions.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.ts';
import type { PartnersTable } from '../src/platform/db/schema.ts';
import { newId } from '../src/platform/ids.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PARTNERS = arg('partners', 50_000);
const RUNS = arg('runs', 200);
const WARMUP = 20;

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = [
  'Alpha',
  'Beta',
  'Capital',
  'Delta',
  'Edge',
  'Forex',
  'Global',
  'Horizon',
  'Invest',
  'Kappa',
  'Lion',
  'Markets',
];
const COUNTRIES = ['GB', 'DE', 'CY', 'AE', 'ZA', 'NG', 'MY', 'TH', 'BR', 'MX', 'IN', 'VN'];
const TYPES = ['ib', 'affiliate', 'white_label', 'network', 'influencer'];
const STAGES = ['intake', 'due_diligence', 'tracking_setup', 'active', 'suspended'];
const TAGS = ['vip', 'crypto', 'latam', 'asia', 'mena', 'education', 'signals'];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pd-bench-'));
  const handle = openDatabase({ databaseUrl: null, dataDir });
  const { db } = handle;
  try {
    await migrateToLatest(db);
    const ctx = { actor: systemActor(PERMISSION_NAMES, 'bench'), requestId: null };
    const store = { db, dialect: handle.dialect };
    const owners: { id: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const user = await createUser(store, ctx, {
        email: `bdm${i}@bench.example`,
        name: `BDM ${i}`,
        role: 'bdm',
        password: 'bench password that is long enough',
      });
      owners.push({ id: user.id });
    }

    const rnd = prng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const started = Date.now();
    const base = Date.parse('2024-01-01T00:00:00Z');
    const ibs: string[] = [];
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < PARTNERS; i += 500) {
        const chunk: PartnersTable[] = [];
        const tagRows: { partner_id: string; tag: string }[] = [];
        for (let j = i; j < Math.min(i + 500, PARTNERS); j++) {
          const name = `${pick(WORDS)} ${pick(WORDS)} ${j}`;
          const created = new Date(base + Math.floor(rnd() * 700 * 86_400_000)).toISOString();
          const tags = TAGS.filter(() => rnd() < 0.15);
          const type = pick(TYPES);
          const row: PartnersTable = {
            id: newId('partner'),
            display_name: name,
            legal_name: rnd() < 0.6 ? `${name} Ltd` : null,
            kind: rnd() < 0.7 ? 'company' : 'individual',
            type,
            stage: pick(STAGES),
            parent_id: type !== 'ib' && ibs.length > 0 && rnd() < 0.3 ? pick(ibs) : null,
            country: pick(COUNTRIES),
            languages: '["en"]',
            websites: '[]',
            traffic_sources: '["seo"]',
            email: `partner${j}@example.com`,
            phone: null,
            owner_id: pick(owners).id,
            tier: null,
            referral_code: `B${j.toString(36).toUpperCase().padStart(6, '0')}`,
            tags: JSON.stringify(tags),
            custom_fields: '{}',
            search_text: '',
            archived_at: rnd() < 0.05 ? created : null,
            created_at: created,
            updated_at: created,
            version: 1,
          };
          row.search_text = searchTextOf(row);
          if (type === 'ib' && ibs.length < 2000) ibs.push(row.id);
          chunk.push(row);
          for (const tag of tags) tagRows.push({ partner_id: row.id, tag });
        }
        await trx.insertInto('partners').values(chunk).execute();
        if (tagRows.length > 0) await trx.insertInto('partner_tags').values(tagRows).execute();
      }
    });
    await sql`analyze`.execute(db);
    console.log(
      `seeded ${PARTNERS} partners in ${((Date.now() - started) / 1000).toFixed(1)} s (SQLite, ${handle.location})`,
    );

    const actor = ctx.actor;
    const q = (params: Record<string, string>): PartnerListQuery => partnerListQuerySchema.parse(params);
    const deepQuery = q({ sort: '-createdAt', limit: '50' });
    const { column, desc } = sortSpec(deepQuery.sort);
    const deepRow = await db
      .selectFrom('partners')
      .selectAll()
      .where('archived_at', 'is', null)
      .orderBy(column, desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
      .offset(Math.floor(PARTNERS * 0.8))
      .limit(1)
      .executeTakeFirstOrThrow();
    const deepCursor = encodeCursor(deepQuery.sort, deepRow);

    const scenarios: [string, () => Promise<unknown>][] = [
      [
        'baseline: select id order by id limit 50',
        () => db.selectFrom('partners').select('id').orderBy('id').limit(50).execute(),
      ],
      ['list: first page, -createdAt', () => listPartners(db, actor, q({}))],
      ['list: sort displayName', () => listPartners(db, actor, q({ sort: 'displayName' }))],
      ['list: search q=capital', () => listPartners(db, actor, q({ q: 'capital' }))],
      ['list: search q=partner4999 (rare)', () => listPartners(db, actor, q({ q: 'partner4999' }))],
      ['list: type=ib & country=GB', () => listPartners(db, actor, q({ type: 'ib', country: 'GB' }))],
      [
        'list: stage=active, -updatedAt',
        () => listPartners(db, actor, q({ stage: 'active', sort: '-updatedAt' })),
      ],
      ['list: tag=signals', () => listPartners(db, actor, q({ tag: 'signals' }))],
      ['list: ownerId filter', () => listPartners(db, actor, q({ ownerId: owners[3]?.id as string }))],
      ['list: deep cursor (80% in)', () => listPartners(db, actor, { ...deepQuery, cursor: deepCursor })],
    ];

    const results: { name: string; p50: number; p95: number }[] = [];
    for (const [name, run] of scenarios) {
      for (let i = 0; i < WARMUP; i++) await run();
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
      results.push({ name, p50: at(0.5), p95: at(0.95) });
    }
    const baseline = results[0]?.p50 ?? 1;
    console.log(`\n${RUNS} runs each after ${WARMUP} warm-up runs; ratio = p50 / baseline p50\n`);
    console.log(
      `${'scenario'.padEnd(44)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'ratio'.padStart(8)}`,
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(44)} ${r.p50.toFixed(3).padStart(9)} ${r.p95.toFixed(3).padStart(9)} ${(r.p50 / baseline).toFixed(1).padStart(7)}x`,
      );
    }
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
