// The postback API: setup with the linter and the destination check, permissions, changes, enable/disable,
// secrets, test fire, delivery log and resend. Outbound calls go only to receivers on 127.0.0.1.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, problemOf, type TestApp } from '../../../test/support/app.ts';
import { newId } from '../../platform/ids.ts';
import { type Receiver, startReceiver } from '../../platform/net/testing/receiver.ts';
import { nowIso } from '../../platform/time.ts';

async function newPartner(t: TestApp, ownerId: string | null = null): Promise<string> {
  const admin = await t.keyFor('admin');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/partners',
    headers: admin,
    payload: {
      displayName: `Postback Partner ${newId('partner').slice(-6)}`,
      ...(ownerId ? { ownerId } : {}),
    },
  });
  if (res.statusCode !== 201) throw new Error(`partner: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

async function auditActions(t: TestApp, entityId: string): Promise<string[]> {
  const rows = await t.store.db
    .selectFrom('audit_log')
    .select('action')
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

describe('postbacks API (private networks allowed, for local receivers)', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let partnerId: string;
  let r: Receiver;

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_ALLOW_PRIVATE_NETWORK: 'true', PARTNERDESK_WORKERS: 'false' });
    admin = await t.keyFor('admin');
    partnerId = await newPartner(t);
    r = await startReceiver();
  });
  afterAll(async () => {
    await r.close();
    await t.close();
  });
  afterEach(() => {
    r.answer = () => ({ status: 200, body: 'OK' });
  });

  const create = (body: Record<string, unknown>, headers = admin, pid = partnerId) =>
    t.app.inject({ method: 'POST', url: `/api/v1/partners/${pid}/postbacks`, headers, payload: body });

  it('creates a postback, shows the secret once and never again', async () => {
    const res = await create({
      eventType: 'ftd',
      urlTemplate: `${r.url}/pb?click={click_id}&tx={txid}&amount={amount}`,
      generateSigningSecret: true,
    });
    expect(res.statusCode).toBe(201);
    const pb = res.json();
    expect(pb).toMatchObject({
      eventType: 'ftd',
      method: 'GET',
      status: 'active',
      signed: true,
      version: 1,
      warnings: [],
    });
    expect(pb.signingSecret).toMatch(/^pbsec_[A-Za-z0-9_-]{43}$/);
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerId}/postbacks`,
      headers: admin,
    });
    expect(list.statusCode).toBe(200);
    const found = list.json().data.find((p: { id: string }) => p.id === pb.id);
    expect(found.signed).toBe(true);
    expect(JSON.stringify(list.json())).not.toContain(pb.signingSecret);
    expect(await auditActions(t, pb.id)).toEqual(['postback.created']);
    const audit = await t.store.db
      .selectFrom('audit_log')
      .select('data')
      .where('entity_id', '=', pb.id)
      .executeTakeFirstOrThrow();
    expect(audit.data).not.toContain(pb.signingSecret);
  });

  it('refuses a template with problems, naming body.urlTemplate for each', async () => {
    const res = await create({
      eventType: 'ftd',
      urlTemplate: `${r.url}/pb?a={Click_ID}&b={clickid}&c={sub1`,
    });
    expect(res.statusCode).toBe(422);
    const p = problemOf(res);
    expect(p.errors?.map((e) => e.field)).toEqual([
      'body.urlTemplate',
      'body.urlTemplate',
      'body.urlTemplate',
    ]);
    expect(p.errors?.[0]?.message).toContain('use {click_id}');
    expect(p.errors?.[1]?.message).toContain('did you mean {click_id}?');
    expect(p.errors?.[2]?.message).toContain('never closed');
    const stored = await t.store.db.selectFrom('partner_postbacks').select('url_template').execute();
    expect(stored.filter((row) => row.url_template.includes('{Click_ID}'))).toEqual([]);
  });

  it('refuses non-http schemes, credentials and macros in the host', async () => {
    for (const [url, text] of [
      ['ftp://tracker.example/pb', 'scheme'],
      ['https://u:p@tracker.example/pb', 'credentials'],
      ['https://{sub1}.tracker.example/pb', 'host'],
    ] as const) {
      const res = await create({ eventType: 'ftd', urlTemplate: url });
      expect(res.statusCode, url).toBe(422);
      expect(problemOf(res).errors?.[0]).toMatchObject({
        field: 'body.urlTemplate',
        message: expect.stringContaining(text),
      });
    }
  });

  it('keeps URL-encoded macros as warnings in the answer', async () => {
    const res = await create({ eventType: 'registration', urlTemplate: `${r.url}/pb?c=%7Bclick_id%7D` });
    expect(res.statusCode).toBe(201);
    expect(res.json().warnings).toEqual([
      expect.objectContaining({ code: 'encoded_macro', severity: 'warning' }),
    ]);
  });

  it('checks bodies: none for GET, macros linted, JSON valid once filled', async () => {
    const get = await create({
      eventType: 'ftd',
      urlTemplate: `${r.url}/pb`,
      bodyTemplate: '{"a":"{txid}"}',
    });
    expect(problemOf(get).errors?.[0]?.field).toBe('body.bodyTemplate');
    const badMacro = await create({
      eventType: 'ftd',
      method: 'POST',
      urlTemplate: `${r.url}/pb`,
      bodyTemplate: '{"a":"{TxId}"}',
    });
    expect(problemOf(badMacro).errors).toEqual([
      { field: 'body.bodyTemplate', message: expect.stringContaining('use {txid}') },
    ]);
    const notJson = await create({
      eventType: 'ftd',
      method: 'POST',
      urlTemplate: `${r.url}/pb`,
      bodyTemplate: '{"a":{txid}}',
    });
    expect(problemOf(notJson).errors?.[0]?.message).toContain('not valid JSON');
    const form = await create({
      eventType: 'ftd',
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      urlTemplate: `${r.url}/pb`,
      bodyTemplate: 'a={txid}&b={amount}',
    });
    expect(form.statusCode).toBe(201);
    expect(form.json().contentType).toBe('application/x-www-form-urlencoded');
  });

  it('test fire: sends through the delivery path with sample values, signed, and answers the attempt', async () => {
    const created = (
      await create({
        eventType: 'deposit',
        method: 'POST',
        urlTemplate: `${r.url}/dep?click={click_id}&pid={partner_id}&token=s3cr3t`,
        bodyTemplate: '{"tx":"{txid}","amount":"{amount}","currency":"{currency}","event":"{event}"}',
        generateSigningSecret: true,
      })
    ).json();
    r.requests.length = 0;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/${created.id}/test`,
      headers: admin,
      payload: { values: { amount: '42.50' } },
    });
    expect(res.statusCode).toBe(200);
    const { delivery, attempt } = res.json();
    expect(attempt).toMatchObject({
      attemptNo: 1,
      via: 'test',
      outcome: 'success',
      statusCode: 200,
      error: null,
      responseStart: 'OK',
      method: 'POST',
    });
    expect(attempt.url).toContain('token=***');
    expect(attempt.url).not.toContain('s3cr3t');
    expect(delivery).toMatchObject({ test: true, status: 'succeeded', attemptCount: 1, eventId: null });
    expect(r.requests).toHaveLength(1);
    const got = r.requests[0];
    expect(got?.url).toMatch(
      new RegExp(`^/dep\\?click=test-[a-z0-9]+-[0-9a-f]{6}&pid=${partnerId}&token=s3cr3t$`),
    );
    const body = JSON.parse(got?.body ?? '');
    expect(body).toMatchObject({ amount: '42.50', currency: 'USD', event: 'deposit' });
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-partnerdesk-delivery']).toBe(delivery.id);
    const sig = String(got?.headers['x-partnerdesk-signature']);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    expect(m).not.toBeNull();
    expect(createHmac('sha256', created.signingSecret).update(`${m?.[1]}.${got?.body}`).digest('hex')).toBe(
      m?.[2],
    );
    expect(await auditActions(t, created.id)).toEqual(['postback.created', 'postback.tested']);
    // A test does not touch the failure streak or the last-attempt fields of the postback.
    const pb = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerId}/postbacks/${created.id}`,
      headers: admin,
    });
    expect(pb.json()).toMatchObject({ consecutiveFailures: 0, lastAttemptAt: null });
  });

  it('rotates the secret: the new one signs, the old one does not verify', async () => {
    const created = (
      await create({
        eventType: 'trade',
        urlTemplate: `${r.url}/t?c={click_id}`,
        generateSigningSecret: true,
      })
    ).json();
    const rot = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/${created.id}/rotate-secret`,
      headers: admin,
    });
    expect(rot.statusCode).toBe(200);
    const secret = rot.json().signingSecret as string;
    expect(secret).not.toBe(created.signingSecret);
    r.requests.length = 0;
    // The body is optional: a bare POST (no body at all) fires with the sample values.
    const fired = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/${created.id}/test`,
      headers: admin,
    });
    expect(fired.statusCode, fired.body).toBe(200);
    const got = r.requests[0];
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(got?.headers['x-partnerdesk-signature'])) ?? [];
    const fullUrl = `${r.url}${got?.url}`;
    // GET: the signed content is the full URL as sent.
    expect(createHmac('sha256', secret).update(`${ts}.${fullUrl}`).digest('hex')).toBe(v1);
    expect(createHmac('sha256', created.signingSecret).update(`${ts}.${fullUrl}`).digest('hex')).not.toBe(v1);
    expect(await auditActions(t, created.id)).toContain('postback.secret_rotated');
  });

  it('changes a postback with optimistic versions and re-lints it', async () => {
    const created = (
      await create({ eventType: 'withdrawal', urlTemplate: `${r.url}/w?c={click_id}` })
    ).json();
    const url = `/api/v1/partners/${partnerId}/postbacks/${created.id}`;
    const ok = await t.app.inject({
      method: 'PATCH',
      url,
      headers: admin,
      payload: { urlTemplate: `${r.url}/w2?c={click_id}&s={sub2}`, version: 1 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, urlTemplate: `${r.url}/w2?c={click_id}&s={sub2}` });
    const stale = await t.app.inject({
      method: 'PATCH',
      url,
      headers: admin,
      payload: { eventType: 'ftd', version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    const bad = await t.app.inject({
      method: 'PATCH',
      url,
      headers: admin,
      payload: { urlTemplate: `${r.url}/w?c={sub9}` },
    });
    expect(bad.statusCode).toBe(422);
    expect(problemOf(bad).errors?.[0]).toMatchObject({
      field: 'body.urlTemplate',
      message: expect.stringContaining('{sub9}'),
    });
    const toPost = await t.app.inject({ method: 'PATCH', url, headers: admin, payload: { method: 'POST' } });
    expect(toPost.json()).toMatchObject({ method: 'POST', contentType: 'application/json', version: 3 });
    expect(await auditActions(t, created.id)).toEqual([
      'postback.created',
      'postback.updated',
      'postback.updated',
    ]);
  });

  it('disables with a reason (cancelling pending deliveries) and enables again', async () => {
    const created = (
      await create({ eventType: 'chargeback', urlTemplate: `${r.url}/cb?c={click_id}` })
    ).json();
    const now = nowIso();
    const deliveryId = newId('postbackDelivery');
    await t.store.db
      .insertInto('postback_deliveries')
      .values({
        id: deliveryId,
        postback_id: created.id,
        partner_id: partnerId,
        event_id: 'evt_1',
        outbox_id: null,
        event_type: 'chargeback',
        macro_values: '{}',
        is_test: 0,
        attempt_no: 1,
        status: 'pending',
        next_attempt_at: now,
        locked_until: null,
        locked_by: null,
        last_error: 'answered 500',
        created_at: now,
        updated_at: now,
        completed_at: null,
      })
      .execute();
    const base = `/api/v1/partners/${partnerId}/postbacks/${created.id}`;
    const noReason = await t.app.inject({
      method: 'POST',
      url: `${base}/disable`,
      headers: admin,
      payload: {},
    });
    expect(problemOf(noReason).errors?.[0]?.field).toBe('body.reason');
    const off = await t.app.inject({
      method: 'POST',
      url: `${base}/disable`,
      headers: admin,
      payload: { reason: 'partner moves tracker' },
    });
    expect(off.json()).toMatchObject({ status: 'disabled', disabledReason: 'partner moves tracker' });
    const d = await t.store.db
      .selectFrom('postback_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe('cancelled');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `${base}/disable`,
          headers: admin,
          payload: { reason: 'again' },
        })
      ).statusCode,
    ).toBe(409);
    const on = await t.app.inject({ method: 'POST', url: `${base}/enable`, headers: admin });
    expect(on.json()).toMatchObject({ status: 'active', disabledReason: null });
    expect(await auditActions(t, created.id)).toEqual([
      'postback.created',
      'postback.disabled',
      'postback.enabled',
    ]);
  });

  it('lists deliveries with their attempts, filtered, and resends one (audited)', async () => {
    const created = (
      await create({ eventType: 'kyc_approved', urlTemplate: `${r.url}/k?c={click_id}` })
    ).json();
    r.answer = () => ({ status: 503, body: 'down' });
    const fired = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/partners/${partnerId}/postbacks/${created.id}/test`,
        headers: admin,
        payload: {},
      })
    ).json();
    expect(fired.attempt).toMatchObject({
      outcome: 'failure',
      error: 'http_status',
      statusCode: 503,
      responseStart: 'down',
    });
    expect(fired.delivery.status).toBe('failed');
    r.answer = () => ({ status: 200, body: 'OK' });
    const resend = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/deliveries/${fired.delivery.id}/resend`,
      headers: admin,
    });
    expect(resend.statusCode).toBe(200);
    expect(resend.json().attempt).toMatchObject({ attemptNo: 2, via: 'resend', outcome: 'success' });
    expect(resend.json().delivery.status).toBe('succeeded');
    expect(await auditActions(t, created.id)).toEqual([
      'postback.created',
      'postback.tested',
      'postback.resend',
    ]);

    const log = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerId}/postbacks/deliveries?postbackId=${created.id}`,
      headers: admin,
    });
    expect(log.statusCode).toBe(200);
    expect(log.json().data).toHaveLength(1);
    expect(
      log
        .json()
        .data[0].attempts.map((a: { attemptNo: number; outcome: string }) => [a.attemptNo, a.outcome]),
    ).toEqual([
      [1, 'failure'],
      [2, 'success'],
    ]);
    const failedOnly = await t.app.inject({
      method: 'GET',
      url: `/api/v1/partners/${partnerId}/postbacks/deliveries?postbackId=${created.id}&status=failed`,
      headers: admin,
    });
    expect(failedOnly.json().data).toEqual([]);
    const unknown = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/deliveries/${newId('postbackDelivery')}/resend`,
      headers: admin,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('pages the delivery log with a cursor', async () => {
    const created = (
      await create({ eventType: 'qualified_ftd', urlTemplate: `${r.url}/q?c={click_id}` })
    ).json();
    for (let i = 0; i < 3; i++) {
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/partners/${partnerId}/postbacks/${created.id}/test`,
        headers: admin,
        payload: {},
      });
    }
    const url = `/api/v1/partners/${partnerId}/postbacks/deliveries?postbackId=${created.id}&limit=2`;
    const first = (await t.app.inject({ method: 'GET', url, headers: admin })).json();
    expect(first.data).toHaveLength(2);
    const second = (
      await t.app.inject({ method: 'GET', url: `${url}&cursor=${first.nextCursor}`, headers: admin })
    ).json();
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const bad = await t.app.inject({ method: 'GET', url: `${url}&cursor=nope`, headers: admin });
    expect(problemOf(bad).errors?.[0]?.field).toBe('query.cursor');
  });

  describe('who may do what', () => {
    it('lets the owner BDM and a partner user change their own, and nobody else', async () => {
      const owner = await t.userSession('bdm');
      const other = await t.userSession('bdm');
      const owned = await newPartner(t, owner.id);
      const body = { eventType: 'registration', urlTemplate: `${r.url}/reg?c={click_id}` };
      expect((await create(body, owner.headers, owned)).statusCode).toBe(201);
      const denied = await create(body, other.headers, owned);
      expect(denied.statusCode).toBe(403);
      expect(problemOf(denied).detail).toContain('only the partners you own');
      const partnerUser = await t.keyFor('partner', owned);
      expect((await create(body, partnerUser, owned)).statusCode).toBe(201);
      expect((await create(body, partnerUser, partnerId)).statusCode).toBe(404);
      const list = await t.app.inject({
        method: 'GET',
        url: `/api/v1/partners/${partnerId}/postbacks`,
        headers: partnerUser,
      });
      expect(list.statusCode).toBe(404);
      const own = await t.app.inject({
        method: 'GET',
        url: `/api/v1/partners/${owned}/postbacks`,
        headers: partnerUser,
      });
      expect(own.json().data).toHaveLength(2);
      const support = await t.keyFor('support');
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/v1/partners/${owned}/postbacks`, headers: support }))
          .statusCode,
      ).toBe(200);
      expect((await create(body, support, owned)).statusCode).toBe(403);
      const ops = await t.keyFor('ops');
      expect((await create(body, ops, owned)).statusCode).toBe(201);
    });

    it('shows secrets in a template only to those who may change it', async () => {
      const owned = await newPartner(t);
      const made = await create(
        { eventType: 'ftd', urlTemplate: `${r.url}/ftd?api_key=s3cr3t-partner-key&c={click_id}` },
        admin,
        owned,
      );
      expect(made.statusCode).toBe(201);
      const seen = async (headers: Record<string, string>) =>
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/v1/partners/${owned}/postbacks/${made.json().id}`,
            headers,
          })
        ).json().urlTemplate as string;
      expect(await seen(admin)).toContain('api_key=s3cr3t-partner-key');
      expect(await seen(await t.keyFor('partner', owned))).toContain('api_key=s3cr3t-partner-key');
      for (const role of ['support', 'compliance', 'finance'] as const) {
        const url = await seen(await t.keyFor(role));
        expect(url, role).toContain('api_key=***&c={click_id}');
        expect(url, role).not.toContain('s3cr3t');
      }
    });
  });
});

describe('postbacks API without private networks', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let partnerId: string;
  let canary: Receiver;

  beforeAll(async () => {
    t = await createTestApp({ PARTNERDESK_WORKERS: 'false' });
    admin = await t.keyFor('admin');
    partnerId = await newPartner(t);
    canary = await startReceiver();
  });
  afterAll(async () => {
    await canary.close();
    await t.close();
  });

  it('refuses at save every URL that reaches a private, loopback or link-local address', async () => {
    const p = canary.port;
    for (const url of [
      `http://127.0.0.1:${p}/pb?c={click_id}`,
      `http://2130706433:${p}/pb`,
      `http://0x7f000001:${p}/pb`,
      `http://[::1]:${p}/pb`,
      `http://[::ffff:127.0.0.1]:${p}/pb`,
      `http://localhost:${p}/pb`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/pb',
      'http://100.64.0.1/pb',
      'https://192.168.0.10/pb',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/partners/${partnerId}/postbacks`,
        headers: admin,
        payload: { eventType: 'ftd', urlTemplate: url },
      });
      expect(res.statusCode, url).toBe(422);
      const e = problemOf(res).errors?.[0];
      expect(e?.field).toBe('body.urlTemplate');
      expect(e?.message).toContain('only public internet addresses are allowed');
      expect(e?.message).toContain('PARTNERDESK_ALLOW_PRIVATE_NETWORK');
    }
    expect(canary.connections).toBe(0);
  });

  it('accepts a public address at save (resolving only, sending nothing)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks`,
      headers: admin,
      payload: { eventType: 'ftd', urlTemplate: 'https://93.184.216.34/pb?c={click_id}' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses at send time and at enable time a postback that points inside (stored before, or moved)', async () => {
    const now = nowIso();
    const id = newId('postback');
    await t.store.db
      .insertInto('partner_postbacks')
      .values({
        id,
        partner_id: partnerId,
        event_type: 'deposit',
        method: 'GET',
        url_template: `http://127.0.0.1:${canary.port}/pb?c={click_id}`,
        body_template: null,
        content_type: null,
        signing_secret: null,
        status: 'disabled',
        disabled_reason: 'test',
        consecutive_failures: 0,
        first_failure_at: null,
        last_attempt_at: null,
        last_success_at: null,
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    const fired = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/${id}/test`,
      headers: admin,
      payload: {},
    });
    expect(fired.statusCode).toBe(200);
    expect(fired.json().attempt).toMatchObject({
      outcome: 'failure',
      error: 'refused_private',
      statusCode: null,
    });
    const enable = await t.app.inject({
      method: 'POST',
      url: `/api/v1/partners/${partnerId}/postbacks/${id}/enable`,
      headers: admin,
    });
    expect(enable.statusCode).toBe(422);
    expect(canary.connections).toBe(0);
  });
});
