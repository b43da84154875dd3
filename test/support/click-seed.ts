// Seeds a partner and tracking links straight into a fresh database (migrated here), for the click crash test
// and bench/click.ts, which then start the real server on it.
import { loadConfig } from '../../src/platform/config.ts';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.ts';
import { newId } from '../../src/platform/ids.ts';
import { nowIso } from '../../src/platform/time.ts';

export async function seedClickLinks(
  opts: { databaseUrl: string | null; dataDir: string },
  links: { code: string; landingUrl: string }[],
): Promise<{ partnerId: string; links: { id: string; code: string; seq: number }[]; secret: string }> {
  const config = loadConfig({
    PARTNERDESK_DATA_DIR: opts.dataDir,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
  });
  const handle = openDatabase(config);
  try {
    await migrateToLatest(handle.db);
    const now = nowIso();
    const partnerId = newId('partner');
    await handle.db
      .insertInto('partners')
      .values({
        id: partnerId,
        display_name: 'Click Partner',
        legal_name: null,
        kind: 'company',
        type: 'affiliate',
        stage: 'active',
        parent_id: null,
        country: 'CY',
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: null,
        tier: null,
        referral_code: `CLK${partnerId.slice(-8)}`,
        tags: '[]',
        custom_fields: '{}',
        search_text: 'click partner',
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    const out: { id: string; code: string; seq: number }[] = [];
    for (const [i, l] of links.entries()) {
      const id = newId('link');
      await handle.db
        .insertInto('links')
        .values({
          id,
          seq: i + 1,
          partner_id: partnerId,
          code: l.code,
          name: l.code,
          landing_url: l.landingUrl,
          campaign: null,
          status: 'active',
          allowed_countries: '[]',
          created_by: null,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
      out.push({ id, code: l.code, seq: i + 1 });
    }
    return { partnerId, links: out, secret: config.secret };
  } finally {
    await handle.close();
  }
}
