// Tracking: links (/c/{code}), click recording with sub-IDs, bot and duplicate marks, self-proving click ids,
// daily click rollups, link stats and the click story. Events, attribution and postbacks build on it.
//
// The batched tracking writer (writer/) is the engine every tracking write goes through: `submit(kind, row)`
// resolves after the row's batch COMMITs (SQLite: in a worker thread that owns the writer connection;
// PostgreSQL: one multi-row transaction per batch through the pool). To add a kind — the events ingest does:
// idempotent insert on (source, event type, txid), attribution, rollups and outbox rows in one batch
// transaction — add it to KINDS in writer/kinds.ts with its `sqlite` and `postgres` handlers (same semantics,
// results in row order), then call `trackingRuntimeOf(app).writer.submit('<kind>', row)` from the route.

export {
  CLICK_ID_RE,
  type ClickIdCodec,
  clickIdCodec,
  mintClickId,
  type ParsedClickId,
  parseClickId,
} from './click-id.ts';
export { compileLanding, fillLanding, lintLandingUrl, PLACEHOLDERS, parseClickQuery } from './landing.ts';
export { clickStorySchema } from './clicks.schemas.ts';
export { getClick } from './clicks.service.ts';
export { clickParamsSchema } from './links.schemas.ts';
export { getLink, type LinkRow, loadLinkFor } from './links.service.ts';
export { QA_CLICK_ID_HEADER, QA_HEADER, qaMarkerFor } from './qa-marker.ts';
export { timeBound } from './retention.ts';
export {
  createTrackingRuntime,
  type TrackingRuntime,
  trackingRoutes,
  trackingRuntimeOf,
  WRITER_OPTIONS,
} from './tracking.routes.ts';
export { type BatchGroup, type ClickRow, KINDS, type KindName, type WriterKind } from './writer/kinds.ts';
export { TrackingWriter, WriterUnavailableError } from './writer/writer.ts';
