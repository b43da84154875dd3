// Outbound partner postbacks: setup per partner and event type with a macro linter, SSRF-checked
// destinations, delivery from the outbox with retries over about three days, signing, the attempt log,
// test fire and manual resend. Ingestion enqueues with `enqueuePostbackEvent` inside its own transaction.
import type { WriteScope } from '../../platform/tx.ts';
import { POSTBACK_TOPIC } from './delivery.ts';
import type { PostbackEventPayload } from './postbacks.schemas.ts';

export {
  attemptLocked,
  buildRequest,
  claimDueDeliveries,
  type DeliveryOptions,
  DISABLE_AFTER_FAILURES,
  DISABLE_WINDOW_MS,
  JITTER_FRACTION,
  judge,
  MAX_ATTEMPTS,
  POSTBACK_TOPIC,
  RETRY_DELAYS_MS,
  redactUrlSecrets,
  rejectionIn,
  retryDelayMs,
  runDeliveryCycle,
  runOutboxCycle,
  sign,
} from './delivery.ts';
export {
  closestMacro,
  type LintProblem,
  lintMacros,
  lintUrlTemplate,
  MACROS,
  type Macro,
  type MacroValues,
  macrosIn,
  renderTemplate,
} from './macros.ts';
export { postbacksRoutes } from './postbacks.routes.ts';
export {
  deliverySchema,
  POSTBACK_EVENT_TYPES,
  type PostbackEventPayload,
  type PostbackEventType,
  postbackEventPayloadSchema,
} from './postbacks.schemas.ts';
export { attemptsForEvent, createPostback, sampleValues, testPostback } from './postbacks.service.ts';
export { type PostbackWorker, startPostbackWorker } from './worker.ts';

/** Ingestion calls this inside the transaction that stores an event: the worker then delivers its postbacks. */
export function enqueuePostbackEvent(w: Pick<WriteScope, 'outbox'>, payload: PostbackEventPayload): void {
  w.outbox({ topic: POSTBACK_TOPIC, key: payload.eventId, payload });
}
export { attemptSchema, postbackSchema } from './postbacks.schemas.ts';
export { describePostback, type FiredDelivery, fireDeliveriesOf, postbacksOfPartner } from './qa-support.ts';
