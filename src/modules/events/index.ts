// Events in: event sources with tokens (and optional signing), GET|POST /postback and the JSON batch API,
// clients (trading accounts) whose first attribution sticks, attribution by click id / referral code /
// manual decision, programmes, the inbox of malformed requests. Ingestion commits through the tracking
// writer (kind `event`: ingest-kind.ts over the pure planner ingest-plan.ts).
export { checkSignature, eventsRoutes, eventsRuntimeOf, SIGNATURE_HEADER } from './events.routes.ts';
export { presentEvent } from './events.service.ts';
export { type EventInput, type IngestRuntime, ingest, parseEvent } from './ingest.ts';
export { EVENT_TYPES, type EventResult, type EventType } from './ingest-plan.ts';
export { hashToken } from './resolver.ts';
export { eventsOfTrackingTest, programmeForLink, trackingQaSourceId } from './qa-support.ts';
