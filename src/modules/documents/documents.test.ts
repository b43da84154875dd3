import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { nowIso, setClockForTests, todayUtc } from '../../platform/time.ts';
import { documentFacts, pendingReviewCount } from './index.ts';

// ---------------------------------------------------------------------------------------------------------
// Multipart bodies built by hand, as a browser or curl would send them.

type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType: string; data: Buffer };

function form(parts: Part[], opts: { cutAt?: number } = {}) {
  const boundary = `----pdtest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`,
          'utf8',
        ),
      );
      chunks.push(p.data);
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}`, 'utf8'));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const payload = Buffer.concat(chunks);
  return {
    payload: opts.cutAt === undefined ? payload : payload.subarray(0, opts.cutAt),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d494844520000000100000001080600000000', 'hex'),
  randomBytes(64),
]);

const pdfPart = (data: Buffer = PDF, filename = 'passport.pdf'): Part => ({
  name: 'file',
  filename,
  contentType: 'application/pdf',
  data,
});
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('partner documents', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<TestApp['userSession']>>;
  let otherBdm: Awaited<ReturnType<TestApp['userSession']>>;
  let compliance: Awaited<ReturnType<TestApp['userSession']>>;
  let compliance2: Awaited<ReturnType<TestApp['userSession']>>;
  let partnerA: string;
  let partnerB: string;
  let partnerUser: Awaited<ReturnType<TestApp['userSession']>>;
  let ops: Record<string, string>;

  async function insertPartner(name: string, ownerId: string | null): Promise<string> {
    const id = newId('partner');
    const now = nowIso();
    await t.store.db
      .insertInto('partners')
      .values({
        id,
        display_name: name,
        legal_name: null,
        kind: 'company',
        type: 'ib',
        stage: 'intake',
        parent_id: null,
        country: 'CY',
        languages: '[]',
        websites: '[]',
        traffic_sources: '[]',
        email: null,
        phone: null,
        owner_id: ownerId,
        tier: null,
        referral_code: `ref${randomBytes(5).toString('hex')}`,
        tags: '[]',
        custom_fields: '{}',
        search_text: name.toLowerCase(),
        archived_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    return id;
  }

  const tmpDir = () => path.join(t.dataDir, 'documents', 'tmp');
  const tmpFiles = () => (existsSync(tmpDir()) ? readdirSync(tmpDir()) : []);
  const partnerFiles = (partnerId: string) => {
    const dir = path.join(t.dataDir, 'documents', partnerId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const docCount = async (partnerId: string) =>
    Number(
      (
        await t.store.db
          .selectFrom('documents')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('partner_id', '=', partnerId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function upload(partnerId: string, headers: Record<string, string>, parts: Part[]) {
    const body = form(parts);
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/documents`,
      headers: { ...headers, ...body.headers },
      payload: body.payload,
    });
  }

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_MAX_UPLOAD_MB: '1' });
    owner = await t.userSession('bdm');
    otherBdm = await t.userSession('bdm');
    compliance = await t.userSession('compliance');
    compliance2 = await t.userSession('compliance');
    partnerA = await insertPartner('Alpha Traders', owner.id);
    partnerB = await insertPartner('Bravo Media', otherBdm.id);
    partnerUser = await t.userSession('partner', { partnerId: partnerA });
    ops = await t.keyFor('ops');
  });
  afterAll(async () => {
    setClockForTests(null);
    await t.close();
  });

  it('uploads a PDF: stored under its id with the recorded SHA-256, audited, listed as pending', async () => {
    const expiresOn = addDays(todayUtc(), 400);
    const res = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      { name: 'expiresOn', value: expiresOn },
      { name: 'note', value: 'Director passport' },
      pdfPart(),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json();
    expect(doc).toMatchObject({
      partnerId: partnerA,
      type: 'identity',
      fileName: 'passport.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      sha256: sha(PDF),
      expiresOn,
      expired: false,
      expiresSoon: false,
      note: 'Director passport',
      status: 'pending',
      reviewedBy: null,
      uploadedBy: { id: owner.id, kind: 'user' },
      archivedAt: null,
    });
    expect(doc.id).toMatch(/^doc_/);

    const onDisk = readFileSync(path.join(t.dataDir, 'documents', partnerA, doc.id));
    expect(sha(onDisk)).toBe(sha(PDF));
    expect(tmpFiles()).toEqual([]);

    const audit = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', doc.id)
      .where('action', '=', 'document.uploaded')
      .executeTakeFirstOrThrow();
    expect(audit.partner_id).toBe(partnerA);
    expect(audit.actor_id).toBe(owner.id);
    expect(JSON.parse(audit.data).after).toMatchObject({
      type: 'identity',
      fileName: 'passport.pdf',
      size: PDF.length,
      sha256: sha(PDF),
      expiresOn,
    });

    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents`,
      headers: owner.headers,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((d: { id: string }) => d.id)).toContain(doc.id);
  });

  it('uploads a PNG with an expiry inside 30 days, flagged as expiring soon', async () => {
    const res = await upload(partnerA, ops, [
      { name: 'type', value: 'proof_of_address' },
      { name: 'expiresOn', value: addDays(todayUtc(), 10) },
      { name: 'file', filename: 'bill.png', contentType: 'image/png', data: PNG },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      contentType: 'image/png',
      sha256: sha(PNG),
      expired: false,
      expiresSoon: true,
    });
    expect(res.json().uploadedBy.kind).toBe('api_key');
  });

  it('answers 413 for a file over the size limit and leaves no file and no row', async () => {
    const before = await docCount(partnerA);
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024, 0x20)]);
    const res = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'agreement' },
      pdfPart(big, 'big.pdf'),
    ]);
    expect(res.statusCode).toBe(413);
    const p = problemOf(res);
    expect(p.code).toBe('payload_too_large');
    expect(p.errors?.[0]?.field).toBe('body.file');
    expect(tmpFiles()).toEqual([]);
    expect(await docCount(partnerA)).toBe(before);
  });

  it('accepts a file of exactly the limit', async () => {
    const exact = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1024 * 1024 - 9, 0x20)]);
    expect(exact.length).toBe(1024 * 1024);
    const res = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'agreement' },
      pdfPart(exact, 'exact.pdf'),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().sizeBytes).toBe(1024 * 1024);
  });

  it('rejects a file whose content is not its declared type (an HTML "pdf", a PDF sent as PNG)', async () => {
    const before = await docCount(partnerA);
    const html = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      pdfPart(Buffer.from('<!doctype html><script>alert(1)</script>'), 'evil.pdf'),
    ]);
    expect(html.statusCode).toBe(422);
    expect(problemOf(html).errors?.map((e) => e.field)).toEqual(['body.file']);

    const pdfAsPng = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      { name: 'file', filename: 'x.png', contentType: 'image/png', data: PDF },
    ]);
    expect(pdfAsPng.statusCode).toBe(422);
    expect(problemOf(pdfAsPng).errors?.[0]?.field).toBe('body.file');
    expect(tmpFiles()).toEqual([]);
    expect(await docCount(partnerA)).toBe(before);
  });

  it('rejects content types outside the list with 415 and an empty file with 422', async () => {
    const htmlType = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'other' },
      { name: 'file', filename: 'page.html', contentType: 'text/html', data: Buffer.from('<html></html>') },
    ]);
    expect(htmlType.statusCode).toBe(415);
    expect(problemOf(htmlType).errors?.[0]?.field).toBe('body.file');

    const empty = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'other' },
      pdfPart(Buffer.alloc(0)),
    ]);
    expect(empty.statusCode).toBe(422);
    expect(problemOf(empty).errors).toEqual([{ field: 'body.file', message: 'is empty' }]);
    expect(tmpFiles()).toEqual([]);
  });

  it('names body.type, body.expiresOn and body.file when they are wrong or missing', async () => {
    const badType = await upload(partnerA, owner.headers, [{ name: 'type', value: 'selfie' }, pdfPart()]);
    expect(badType.statusCode).toBe(422);
    expect(problemOf(badType).errors?.map((e) => e.field)).toEqual(['body.type']);

    const noType = await upload(partnerA, owner.headers, [pdfPart()]);
    expect(noType.statusCode).toBe(422);
    expect(problemOf(noType).errors).toEqual([{ field: 'body.type', message: 'is required' }]);

    for (const expiresOn of ['2031-02-30', '31/12/2030', '2030-13-01']) {
      const res = await upload(partnerA, owner.headers, [
        { name: 'type', value: 'identity' },
        { name: 'expiresOn', value: expiresOn },
        pdfPart(),
      ]);
      expect(res.statusCode, expiresOn).toBe(422);
      expect(problemOf(res).errors?.map((e) => e.field)).toEqual(['body.expiresOn']);
    }
    const past = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      { name: 'expiresOn', value: addDays(todayUtc(), -1) },
      pdfPart(),
    ]);
    expect(past.statusCode).toBe(422);
    expect(problemOf(past).errors?.map((e) => e.field)).toEqual(['body.expiresOn']);

    const noFile = await upload(partnerA, owner.headers, [{ name: 'type', value: 'identity' }]);
    expect(noFile.statusCode).toBe(422);
    expect(problemOf(noFile).errors?.map((e) => e.field)).toEqual(['body.file']);

    const unknownField = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      { name: 'status', value: 'approved' },
      pdfPart(),
    ]);
    expect(unknownField.statusCode).toBe(422);
    expect(problemOf(unknownField).errors?.map((e) => e.field)).toEqual(['body.status']);

    const wrongPart = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'identity' },
      { name: 'document', filename: 'a.pdf', contentType: 'application/pdf', data: PDF },
    ]);
    expect(wrongPart.statusCode).toBe(422);
    expect(problemOf(wrongPart).errors?.map((e) => e.field)).toEqual(['body.document', 'body.file']);

    const before = await docCount(partnerA);
    const twoFiles = await upload(partnerA, owner.headers, [{ name: 'type', value: 'identity' }, pdfPart(), pdfPart()]);
    expect(twoFiles.statusCode).toBe(413);
    expect(problemOf(twoFiles).errors?.map((e) => e.field)).toEqual(['body.file']);
    expect(await docCount(partnerA)).toBe(before);

    const json = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/documents`,
      headers: owner.headers,
      payload: { type: 'identity' },
    });
    expect(json.statusCode).toBe(415);
    expect(problemOf(json).errors?.[0]?.field).toBe('body');
    expect(tmpFiles()).toEqual([]);
  });

  it('answers 400 for a body cut off in the middle of the file, leaving nothing behind', async () => {
    const before = await docCount(partnerA);
    const body = form(
      [{ name: 'type', value: 'identity' }, pdfPart(Buffer.concat([PDF, randomBytes(4096)]))],
      { cutAt: 2000 },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/documents`,
      headers: { ...owner.headers, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).code).toBe('bad_request');
    expect(tmpFiles()).toEqual([]);
    expect(await docCount(partnerA)).toBe(before);
  });

  it('keeps only a safe original file name', async () => {
    const res = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'other' },
      pdfPart(PDF, `..\\..\\windows\\evil\u202Efdp.exe\u0007${'x'.repeat(300)}.pdf`),
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const name: string = res.json().fileName;
    expect(
      Array.from(name).some(
        (ch) => ch === '/' || ch === '\\' || ch === '\u202e' || (ch.codePointAt(0) ?? 0) < 0x20,
      ),
    ).toBe(false);
    expect(name.startsWith('evilfdp.exe')).toBe(true);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(Array.from(name).length).toBe(200);
  });

  it('lets a partner user upload to its own partner only (another partner is not found)', async () => {
    const own = await upload(partnerA, partnerUser.headers, [
      { name: 'type', value: 'tax_form' },
      pdfPart(PDF, 'w8.pdf'),
    ]);
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json().uploadedBy).toMatchObject({ id: partnerUser.id, kind: 'partner' });

    const before = await docCount(partnerB);
    const other = await upload(partnerB, partnerUser.headers, [
      { name: 'type', value: 'tax_form' },
      pdfPart(),
    ]);
    expect(other.statusCode).toBe(404);
    expect(await docCount(partnerB)).toBe(before);

    const otherList = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerB}/documents`,
      headers: partnerUser.headers,
    });
    expect(otherList.statusCode).toBe(404);
  });

  it('refuses a BDM who does not own the partner (403) but lets Compliance upload to any partner', async () => {
    const bdm = await upload(partnerA, otherBdm.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
    expect(bdm.statusCode).toBe(403);
    expect(problemOf(bdm).code).toBe('forbidden');

    const finance = await upload(partnerA, await t.keyFor('finance'), [
      { name: 'type', value: 'identity' },
      pdfPart(),
    ]);
    expect(finance.statusCode).toBe(403);

    const comp = await upload(partnerB, compliance.headers, [
      { name: 'type', value: 'incorporation' },
      pdfPart(PDF, 'coi.pdf'),
    ]);
    expect(comp.statusCode, comp.body).toBe(201);
    expect(tmpFiles()).toEqual([]);
  });

  it('downloads exactly the uploaded bytes with safe headers', async () => {
    const up = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'ubo_declaration' },
      { name: 'file', filename: 'déclaration UBO.png', contentType: 'image/png', data: PNG },
    ]);
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id;

    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}/download`,
      headers: partnerUser.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(PNG)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(PNG).digest('base64')}:`);
    const disposition = String(res.headers['content-disposition']);
    expect(disposition.startsWith('attachment;')).toBe(true);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? '';
    expect(up.json().fileName).toBe('déclaration UBO.png');
    expect(decodeURIComponent(encoded)).toBe('déclaration UBO.png');

    const meta = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}`,
      headers: owner.headers,
    });
    expect(meta.statusCode).toBe(200);
    expect(meta.json().sha256).toBe(sha(PNG));

    const elsewhere = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerB}/documents/${id}/download`,
      headers: ops,
    });
    expect(elsewhere.statusCode).toBe(404);
  });

  it('answers 410, not the wrong bytes, when the stored file is missing or altered', async () => {
    const up = await upload(partnerA, owner.headers, [{ name: 'type', value: 'agreement' }, pdfPart()]);
    const id = up.json().id;
    const file = path.join(t.dataDir, 'documents', partnerA, id);
    writeFileSync(file, Buffer.from(PDF.toString().replace('Catalog', 'Catalof')));
    const altered = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}/download`,
      headers: owner.headers,
    });
    expect(altered.statusCode).toBe(410);
    expect(problemOf(altered).code).toBe('gone');

    writeFileSync(file, Buffer.alloc(3));
    const shorter = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}/download`,
      headers: owner.headers,
    });
    expect(shorter.statusCode).toBe(410);

    const { rmSync } = await import('node:fs');
    rmSync(file);
    const missing = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}/download`,
      headers: owner.headers,
    });
    expect(missing.statusCode).toBe(410);
    expect(problemOf(missing).detail).toMatch(/missing/);
  });

  it('reviews with four eyes: approve, reject needs a reason, re-review is audited, the uploader cannot review', async () => {
    const up = await upload(partnerA, owner.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
    const id = up.json().id;
    const url = `/api/v1/partners/${partnerA}/documents/${id}/review`;

    const byBdm = await t.app.inject({
      method: 'POST',
      url,
      headers: owner.headers,
      payload: { decision: 'approve' },
    });
    expect(byBdm.statusCode).toBe(403);

    const noReason = await t.app.inject({
      method: 'POST',
      url,
      headers: compliance.headers,
      payload: { decision: 'reject' },
    });
    expect(noReason.statusCode).toBe(422);
    expect(problemOf(noReason).errors?.map((e) => e.field)).toEqual(['body.reason']);
    const blankReason = await t.app.inject({
      method: 'POST',
      url,
      headers: compliance.headers,
      payload: { decision: 'reject', reason: '   ' },
    });
    expect(blankReason.statusCode).toBe(422);

    const approve = await t.app.inject({
      method: 'POST',
      url,
      headers: compliance.headers,
      payload: { decision: 'approve' },
    });
    expect(approve.statusCode, approve.body).toBe(200);
    expect(approve.json()).toMatchObject({
      status: 'approved',
      reviewedBy: { id: compliance.id },
      reviewReason: null,
    });
    expect(approve.json().reviewedAt).toBeTruthy();

    const reject = await t.app.inject({
      method: 'POST',
      url,
      headers: compliance2.headers,
      payload: { decision: 'reject', reason: 'Photo page is cut off' },
    });
    expect(reject.statusCode).toBe(200);
    expect(reject.json()).toMatchObject({
      status: 'rejected',
      reviewedBy: { id: compliance2.id },
      reviewReason: 'Photo page is cut off',
    });

    const audits = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', id)
      .where('action', '=', 'document.reviewed')
      .orderBy('seq')
      .execute();
    expect(audits.map((a) => [JSON.parse(a.data).before.status, JSON.parse(a.data).after.status])).toEqual([
      ['pending', 'approved'],
      ['approved', 'rejected'],
    ]);
    expect(JSON.parse(audits[1]?.data ?? '{}').reason).toBe('Photo page is cut off');

    // Compliance uploads, so the same person may not review it.
    const own = await upload(partnerA, compliance.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
    const ownReview = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/documents/${own.json().id}/review`,
      headers: compliance.headers,
      payload: { decision: 'approve' },
    });
    expect(ownReview.statusCode).toBe(403);
    expect(problemOf(ownReview).detail).toMatch(/four eyes/);
    const other = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/documents/${own.json().id}/review`,
      headers: compliance2.headers,
      payload: { decision: 'approve' },
    });
    expect(other.statusCode).toBe(200);
  });

  it('archives with a reason, keeps the file, and then refuses review and a second archive', async () => {
    const up = await upload(partnerA, owner.headers, [
      { name: 'type', value: 'agreement' },
      pdfPart(PDF, 'old.pdf'),
    ]);
    const id = up.json().id;
    const url = `/api/v1/partners/${partnerA}/documents/${id}/archive`;

    const noReason = await t.app.inject({
      method: 'POST',
      url,
      headers: owner.headers,
      payload: { reason: '' },
    });
    expect(noReason.statusCode).toBe(422);
    expect(problemOf(noReason).errors?.map((e) => e.field)).toEqual(['body.reason']);

    const byPartner = await t.app.inject({
      method: 'POST',
      url,
      headers: partnerUser.headers,
      payload: { reason: 'mine' },
    });
    expect(byPartner.statusCode).toBe(403);
    const byOtherBdm = await t.app.inject({
      method: 'POST',
      url,
      headers: otherBdm.headers,
      payload: { reason: 'x' },
    });
    expect(byOtherBdm.statusCode).toBe(403);

    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: owner.headers,
      payload: { reason: 'Superseded by the signed version' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().archivedAt).toBeTruthy();
    expect(res.json().archiveReason).toBe('Superseded by the signed version');
    expect(partnerFiles(partnerA)).toContain(id);

    const again = await t.app.inject({
      method: 'POST',
      url,
      headers: compliance.headers,
      payload: { reason: 'again' },
    });
    expect(again.statusCode).toBe(409);
    const review = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerA}/documents/${id}/review`,
      headers: compliance.headers,
      payload: { decision: 'approve' },
    });
    expect(review.statusCode).toBe(409);

    const audit = await t.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', id)
      .where('action', '=', 'document.archived')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.data).reason).toBe('Superseded by the signed version');

    const listUrl = `/api/v1/partners/${partnerA}/documents`;
    const visible = await t.app.inject({ method: 'GET', url: listUrl, headers: owner.headers });
    expect(visible.json().data.map((d: { id: string }) => d.id)).not.toContain(id);
    const withArchived = await t.app.inject({
      method: 'GET',
      url: `${listUrl}?archived=true`,
      headers: owner.headers,
    });
    expect(withArchived.json().data.map((d: { id: string }) => d.id)).toContain(id);

    const download = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerA}/documents/${id}/download`,
      headers: owner.headers,
    });
    expect(download.statusCode).toBe(200);
  });

  it('lists with type and status filters and cursor paging, newest first', async () => {
    const p = await insertPartner('Paging Partner', owner.id);
    const ids: string[] = [];
    for (const type of ['identity', 'tax_form', 'identity', 'other', 'identity']) {
      const res = await upload(p, owner.headers, [{ name: 'type', value: type }, pdfPart()]);
      ids.push(res.json().id);
    }
    const url = `/api/v1/partners/${p}/documents`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const pageUrl: string = `${url}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.app.inject({
        method: 'GET',
        url: pageUrl,
        headers: owner.headers,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(2);
      seen.push(...res.json().data.map((d: { id: string }) => d.id));
      cursor = res.json().nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const identities = await t.app.inject({
      method: 'GET',
      url: `${url}?type=identity`,
      headers: owner.headers,
    });
    expect(identities.json().data).toHaveLength(3);

    await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/documents/${ids[1]}/review`,
      headers: compliance.headers,
      payload: { decision: 'approve' },
    });
    const approved = await t.app.inject({
      method: 'GET',
      url: `${url}?status=approved`,
      headers: owner.headers,
    });
    expect(approved.json().data.map((d: { id: string }) => d.id)).toEqual([ids[1]]);

    const badType = await t.app.inject({ method: 'GET', url: `${url}?type=selfie`, headers: owner.headers });
    expect(badType.statusCode).toBe(422);
    expect(problemOf(badType).errors?.[0]?.field).toBe('query.type');
    const badCursor = await t.app.inject({
      method: 'GET',
      url: `${url}?cursor=nonsense`,
      headers: owner.headers,
    });
    expect(badCursor.statusCode).toBe(422);
    expect(problemOf(badCursor).errors?.[0]?.field).toBe('query.cursor');
  });

  it('serves the review queue across partners with partner names, and counts pending documents', async () => {
    const fresh = await upload(partnerB, compliance.headers, [
      { name: 'type', value: 'identity' },
      pdfPart(),
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/documents?status=pending&limit=200',
      headers: compliance2.headers,
    });
    expect(res.statusCode).toBe(200);
    const data: {
      id: string;
      status: string;
      partner: { id: string; displayName: string };
      createdAt: string;
    }[] = res.json().data;
    expect(data[0]?.id).toBe(fresh.json().id);
    expect(data[0]?.partner).toEqual({ id: partnerB, displayName: 'Bravo Media' });
    expect(data.every((d) => d.status === 'pending')).toBe(true);
    const times = data.map((d) => d.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const pendingRows = await t.store.db
      .selectFrom('documents')
      .select('id')
      .where('status', '=', 'pending')
      .where('archived_at', 'is', null)
      .execute();
    expect(data.map((d) => d.id).sort()).toEqual(pendingRows.map((r) => r.id).sort());
    expect(await pendingReviewCount(t.store.db)).toBe(pendingRows.length);

    const byBdm = await t.app.inject({ method: 'GET', url: '/api/v1/documents', headers: owner.headers });
    expect(byBdm.statusCode).toBe(403);
  });

  it('computes expiry against today (UTC) and gives the onboarding gate its facts', async () => {
    const p = await insertPartner('Expiry Partner', owner.id);
    const key = await t.keyFor('ops');
    const soon = await upload(p, key, [
      { name: 'type', value: 'identity' },
      { name: 'expiresOn', value: addDays(todayUtc(), 5) },
      pdfPart(),
    ]);
    await upload(p, key, [{ name: 'type', value: 'proof_of_address' }, pdfPart()]);
    const reviewer = await t.keyFor('compliance');
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${p}/documents/${soon.json().id}/review`,
      headers: reviewer,
      payload: { decision: 'approve' },
    });
    expect(approve.statusCode).toBe(200);
    expect(await documentFacts(t.store.db, p)).toEqual({
      present: ['identity', 'proof_of_address'],
      approved: ['identity'],
      pending: ['proof_of_address'],
      expired: [],
    });

    const later = Date.now() + 10 * 86_400_000;
    setClockForTests(() => later);
    try {
      const list = await t.app.inject({
        method: 'GET',
        url: `/api/v1/partners/${p}/documents?type=identity`,
        headers: key,
      });
      expect(list.json().data[0]).toMatchObject({ expired: true, expiresSoon: false });
      expect(await documentFacts(t.store.db, p)).toMatchObject({ approved: [], expired: ['identity'] });
      const reapprove = await t.app.inject({
        method: 'POST',
        url: `/api/v1/partners/${p}/documents/${soon.json().id}/review`,
        headers: reviewer,
        payload: { decision: 'approve' },
      });
      expect(reapprove.statusCode).toBe(409);
    } finally {
      setClockForTests(null);
    }
  });

  it('removes the placed file when the transaction fails after it was placed', async () => {
    const p = await insertPartner('Fault Partner', owner.id);
    if (t.store.dialect === 'sqlite') {
      await sql`create trigger fail_doc_audit before insert on audit_log when new.action = 'document.uploaded'
        begin select raise(abort, 'injected audit failure'); end`.execute(t.store.db);
    } else {
      await sql`create function fail_doc_audit() returns trigger language plpgsql as $$
        begin if new.action = 'document.uploaded' then raise exception 'injected audit failure'; end if; return new; end $$`.execute(
        t.store.db,
      );
      await sql`create trigger fail_doc_audit before insert on audit_log for each row execute function fail_doc_audit()`.execute(
        t.store.db,
      );
    }
    try {
      const res = await upload(p, owner.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
      expect(res.statusCode).toBe(500);
    } finally {
      if (t.store.dialect === 'sqlite') {
        await sql`drop trigger fail_doc_audit`.execute(t.store.db);
      } else {
        await sql`drop trigger fail_doc_audit on audit_log`.execute(t.store.db);
        await sql`drop function fail_doc_audit()`.execute(t.store.db);
      }
    }
    expect(await docCount(p)).toBe(0);
    expect(partnerFiles(p)).toEqual([]);
    expect(tmpFiles()).toEqual([]);

    const ok = await upload(p, owner.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
    expect(ok.statusCode).toBe(201);
    expect(partnerFiles(p)).toEqual([ok.json().id]);
  });

  it('refuses uploads to an archived partner', async () => {
    const p = await insertPartner('Gone Partner', owner.id);
    await t.store.db.updateTable('partners').set({ archived_at: nowIso() }).where('id', '=', p).execute();
    const res = await upload(p, owner.headers, [{ name: 'type', value: 'identity' }, pdfPart()]);
    expect(res.statusCode).toBe(409);
    expect(tmpFiles()).toEqual([]);
  });

  it('documents the routes in the OpenAPI description', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = res.json().paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/partners/{id}/documents',
        '/api/v1/partners/{id}/documents/{docId}/download',
        '/api/v1/partners/{id}/documents/{docId}/review',
        '/api/v1/documents',
      ]),
    );
  });
});
