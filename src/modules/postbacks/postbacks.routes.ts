// HTTP routes of outbound postbacks: setup per partner and event type, test fire, delivery log, resend.
// Routes map the request and call the service; object rules live in the service.
import { ctxOf } from '../../platform/http/context.ts';
import type { App, Deps } from '../../platform/http/types.ts';
import { MACROS } from './macros.ts';
import {
  attemptResultSchema,
  createPostbackBodySchema,
  deliveryListSchema,
  deliveryParamsSchema,
  disableBodySchema,
  listDeliveriesQuerySchema,
  listPostbacksQuerySchema,
  partnerParamsSchema,
  patchPostbackBodySchema,
  postbackListSchema,
  postbackParamsSchema,
  postbackSavedSchema,
  postbackSchema,
  secretSchema,
  testBodySchema,
} from './postbacks.schemas.ts';
import {
  createPostback,
  disablePostback,
  enablePostback,
  getPostback,
  listDeliveries,
  listPostbacks,
  resendDelivery,
  rotateSecret,
  testPostback,
  updatePostback,
} from './postbacks.service.ts';

const SIGNING =
  'With a signing secret every request carries `X-Partnerdesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<content>")>`, ' +
  'where content is the body for POST and the full URL as sent for GET, plus `X-Partnerdesk-Delivery` (the same across retries).';

export async function postbacksRoutes(app: App, deps: Deps): Promise<void> {
  const { store, config } = deps;
  const net = () => ({ allowPrivateNetwork: config.allowPrivateNetwork });
  const tags = ['postbacks'];
  const base = '/api/v1/partners/:id/postbacks';

  app.get(
    base,
    {
      config: { access: 'postbacks.read' },
      schema: {
        tags,
        summary: "A partner's outbound postbacks",
        params: partnerParamsSchema,
        querystring: listPostbacksQuerySchema,
        response: { 200: postbackListSchema },
      },
    },
    async (req) => listPostbacks(store, ctxOf(req).actor, req.params.id, req.query),
  );

  app.post(
    base,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Set up a postback for an event type (templates linted, destination checked)',
        description:
          `Macros: ${MACROS.map((m) => `{${m}}`).join(' ')}. Unknown macros, wrong case, unbalanced or nested braces, ` +
          'non-http(s) schemes, credentials in the URL and macros in the host are refused (422 naming body.urlTemplate). ' +
          'The host must resolve to public addresses only. Non-2xx answers and redirects are failures; retries back off ' +
          `over about three days; 10 consecutive failures within 72 hours disable the postback. ${SIGNING}`,
        params: partnerParamsSchema,
        body: createPostbackBodySchema,
        response: { 201: postbackSavedSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await createPostback(store, ctxOf(req), net(), req.params.id, req.body)),
  );

  app.get(
    `${base}/deliveries`,
    {
      config: { access: 'postbacks.read' },
      schema: {
        tags,
        summary: 'The delivery log: deliveries with every attempt, newest first',
        params: partnerParamsSchema,
        querystring: listDeliveriesQuerySchema,
        response: { 200: deliveryListSchema },
      },
    },
    async (req) => listDeliveries(store, ctxOf(req).actor, req.params.id, req.query),
  );

  app.post(
    `${base}/deliveries/:deliveryId/resend`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Send a delivery again now (a new attempt; the postback must be active)',
        params: deliveryParamsSchema,
        response: { 200: attemptResultSchema },
      },
    },
    async (req) => resendDelivery(store, ctxOf(req), net(), req.params.id, req.params.deliveryId),
  );

  app.get(
    `${base}/:postbackId`,
    {
      config: { access: 'postbacks.read' },
      schema: {
        tags,
        summary: 'One postback',
        params: postbackParamsSchema,
        response: { 200: postbackSchema },
      },
    },
    async (req) => getPostback(store, ctxOf(req).actor, req.params.id, req.params.postbackId),
  );

  app.patch(
    `${base}/:postbackId`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Change a postback (linted and checked like a new one)',
        params: postbackParamsSchema,
        body: patchPostbackBodySchema,
        response: { 200: postbackSavedSchema },
      },
    },
    async (req) => updatePostback(store, ctxOf(req), net(), req.params.id, req.params.postbackId, req.body),
  );

  app.post(
    `${base}/:postbackId/enable`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Enable a postback (its destination is checked again; the failure streak starts over)',
        params: postbackParamsSchema,
        response: { 200: postbackSchema },
      },
    },
    async (req) => enablePostback(store, ctxOf(req), net(), req.params.id, req.params.postbackId),
  );

  app.post(
    `${base}/:postbackId/disable`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Disable a postback with a reason (pending deliveries are cancelled)',
        params: postbackParamsSchema,
        body: disableBodySchema,
        response: { 200: postbackSchema },
      },
    },
    async (req) =>
      disablePostback(store, ctxOf(req), net(), req.params.id, req.params.postbackId, req.body.reason),
  );

  app.post(
    `${base}/:postbackId/test`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary:
          'Fire a test delivery with sample values through the real delivery path; answers the attempt',
        params: postbackParamsSchema,
        body: testBodySchema.nullish(),
        response: { 200: attemptResultSchema },
      },
    },
    async (req) =>
      testPostback(store, ctxOf(req), net(), req.params.id, req.params.postbackId, req.body?.values ?? {}),
  );

  app.post(
    `${base}/:postbackId/rotate-secret`,
    {
      config: { access: 'postbacks.write' },
      schema: {
        tags,
        summary: 'Create a new signing secret (shown once; the old one stops working at once)',
        description: SIGNING,
        params: postbackParamsSchema,
        response: { 200: secretSchema },
      },
    },
    async (req) => rotateSecret(store, ctxOf(req), req.params.id, req.params.postbackId),
  );
}
