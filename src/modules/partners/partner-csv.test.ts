import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { isLiveFormula, parseCsv } from './csv.ts';

describe('partner CSV import and export', () => {
  let t: TestApp;
  let ops: Record<string, string>;
  let ownerEmail: string;

  beforeAll(async () => {
    t = await createTestApp();
    ops = await t.keyFor('ops');
    ownerEmail = (await t.userSession('bdm')).email;
    const admin = await t.keyFor('admin');
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/custom-fields',
      headers: admin,
      payload: { key: 'monthly_ftds', label: 'FTDs', type: 'number' },
    });
  });
  afterAll(async () => t.close());

  const countPartners = async () =>
    Number(
      (
        await t.store.db
          .selectFrom('partners')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const importCsv = (csv: string, dryRun: boolean, headers = ops) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/import?dryRun=${dryRun}`,
      headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
      payload: csv,
    });

  it('reports every row error on a dry run and writes nothing', async () => {
    const before = await countPartners();
    const csv = [
      'displayName,type,country,ownerEmail,parentReferralCode,referralCode,custom.monthly_ftds,tags',
      `Good IB,ib,GB,${ownerEmail},,GOODIB,10,vip`,
      'Bad Country,affiliate,XX,,,,,',
      ',affiliate,DE,,,,,',
      'Unknown Owner,affiliate,DE,nobody@example.com,,,,',
      'Orphan,affiliate,DE,,NOPARENT,,,',
      'Dup Code,affiliate,DE,,,goodib,,',
      'Bad Number,affiliate,DE,,,,"12,5",',
    ].join('\r\n');
    const res = await importCsv(csv, true);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ dryRun: true, total: 7, valid: 1, invalid: 6, created: [] });
    const byRow = report.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`);
    expect(byRow).toEqual([
      '3:country',
      '4:displayName',
      '5:ownerEmail',
      '6:parentReferralCode',
      '7:referralCode',
      '8:custom.monthly_ftds',
    ]);
    expect(await countPartners()).toBe(before);

    const real = await importCsv(csv, false);
    expect(real.statusCode).toBe(422);
    const problem = problemOf(real);
    expect(problem.errors?.[0]).toEqual({ field: 'row 3: country', message: expect.any(String) });
    expect(await countPartners()).toBe(before);
  });

  it('imports all rows in one transaction, with parents from earlier rows, and audits each', async () => {
    const before = await countPartners();
    const seqBefore = Number(
      (
        await t.store.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.max('seq').as('m'))
          .executeTakeFirstOrThrow()
      ).m ?? 0,
    );
    const csv = [
      'id,displayName,type,stage,country,languages,ownerEmail,parentReferralCode,referralCode,tags,custom.monthly_ftds,createdAt',
      `ignored,Top IB,ib,active,CY,en ru,${ownerEmail},,TOPIB,"vip, crypto",3,ignored`,
      `,Sub IB,ib,,CY,,${ownerEmail},topib,SUBIB,,,`,
      ',Sub Sub Affiliate,affiliate,,AE,,,SUBIB,,,,',
    ].join('\n');
    const res = await importCsv(csv, false);
    expect(res.statusCode, res.body).toBe(201);
    const report = res.json();
    expect(report).toMatchObject({ dryRun: false, total: 3, valid: 3, invalid: 0, errors: [] });
    expect(report.created).toHaveLength(3);
    expect(await countPartners()).toBe(before + 3);

    const [top, sub, leaf] = await Promise.all(
      report.created.map((id: string) =>
        t.app.inject({ method: 'GET', url: `/api/v1/partners/${id}`, headers: ops }).then((r) => r.json()),
      ),
    );
    expect(top).toMatchObject({
      displayName: 'Top IB',
      stage: 'intake',
      languages: ['en', 'ru'],
      tags: ['vip', 'crypto'],
      customFields: { monthly_ftds: 3 },
    });
    expect(top.ownerName).toMatch(/^Test bdm/);
    expect(sub.parent).toEqual({ id: top.id, displayName: 'Top IB' });
    expect(leaf.parentId).toBe(sub.id);
    expect(leaf.referralCode).toMatch(/^[A-Z2-9]{8}$/);

    const audit = await t.store.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('seq', '>', seqBefore)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'partner.created',
      'partner.created',
      'partner.created',
      'partners.imported',
    ]);
  });

  it('refuses unreadable files, unknown columns and callers without the permission', async () => {
    const broken = await importCsv('displayName\n"never closed\n', true);
    expect(broken.statusCode).toBe(422);
    expect(problemOf(broken).errors?.[0]?.field).toBe('body');
    const unknown = await importCsv('displayName,favouriteColour\nX,blue\n', true);
    expect(problemOf(unknown).errors?.[0]).toMatchObject({ field: 'row 1: favouriteColour' });
    const bdm = await t.keyFor('bdm');
    expect((await importCsv('displayName\nX\n', true, bdm)).statusCode).toBe(403);
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners/import',
      headers: ops,
      payload: { displayName: 'x' },
    });
    expect(json.statusCode).toBe(422);
  });

  it('exports with the list filters and defuses formula cells', async () => {
    const evil = await t.app.inject({
      method: 'POST',
      url: '/api/v1/partners',
      headers: ops,
      payload: {
        displayName: '=HYPERLINK("http://evil.example","click")',
        legalName: '@SUM(1+1)',
        phone: '+44 20 7946 0000',
        country: 'MT',
        customFields: { monthly_ftds: -5 },
      },
    });
    expect(evil.statusCode, evil.body).toBe(201);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/partners/export.csv?country=MT',
      headers: ops,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = parseCsv(res.body);
    expect(header).toContain('custom.monthly_ftds');
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries((header ?? []).map((h, i) => [h, rows[0]?.[i]]));
    expect(row.displayName).toBe('\'=HYPERLINK("http://evil.example","click")');
    expect(row.legalName).toBe("'@SUM(1+1)");
    expect(row.phone).toBe("'+44 20 7946 0000");
    expect(row['custom.monthly_ftds']).toBe("'-5");
    for (const cell of rows[0] ?? []) expect(isLiveFormula(cell)).toBe(false);

    const all = await t.app.inject({
      method: 'GET',
      url: '/api/v1/partners/export.csv?archived=all',
      headers: ops,
    });
    expect(parseCsv(all.body).length - 1).toBe(await countPartners());

    const partnerKey = await t.keyFor('partner', evil.json().id);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/partners/export.csv', headers: partnerKey }))
        .statusCode,
    ).toBe(403);
    const bdm = await t.keyFor('bdm');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/partners/export.csv', headers: bdm })).statusCode,
    ).toBe(403);
  });
});
