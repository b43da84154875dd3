// The database schema as Kysely sees it. One schema for SQLite and PostgreSQL: times are ISO-8601 UTC
// text, JSON is text, booleans are 0/1 integers, money is bigint minor units (parsed to number).

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string; // active | disabled
  partner_id: string | null;
  password_hash: string | null;
  password_changed_at: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  search_text: string; // 0010: lower-cased "name email"
  must_change_password: number; // 0010: 1 after an administrator set or generated the password
}

export interface SessionsTable {
  id: string; // sha256 of the cookie token
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  partner_id: string | null;
  key_prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface RolePermissionsTable {
  role: string;
  permission: string;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  entity_type: string;
  entity_id: string;
  partner_id: string | null;
  request_id: string | null;
  data: string; // JSON: { before, after, reason, meta } (may hold personal data; covered by data_digest)
  data_salt: string | null; // null once erased
  data_digest: string;
  prev_hash: string;
  hash: string;
  redacted_at: string | null;
}

export interface OutboxTable {
  id: string;
  topic: string;
  key: string | null;
  payload: string;
  created_at: string;
  available_at: string;
  attempts: number;
  locked_until: string | null;
  processed_at: string | null;
  last_error: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface PartnersTable {
  id: string;
  display_name: string;
  legal_name: string | null;
  kind: string; // individual | company
  type: string; // ib | affiliate | white_label | network | influencer
  stage: string;
  parent_id: string | null;
  country: string | null; // ISO 3166-1 alpha-2
  languages: string; // JSON string[]
  websites: string; // JSON string[]
  traffic_sources: string; // JSON string[]
  email: string | null;
  phone: string | null;
  owner_id: string | null;
  tier: string | null;
  referral_code: string;
  tags: string; // JSON string[] (also indexed in partner_tags)
  custom_fields: string; // JSON object
  search_text: string; // lower-cased name, legal name, email, referral code
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface PartnerTagsTable {
  partner_id: string;
  tag: string;
}

export interface ContactsTable {
  id: string;
  partner_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  role: string; // primary | billing | technical | compliance | marketing | signatory | other
  is_primary: number;
  created_at: string;
  updated_at: string;
}

export interface CustomFieldDefsTable {
  id: string;
  key: string;
  label: string;
  type: string; // text | number | date | boolean | select
  options: string; // JSON string[] for select
  partner_types: string; // JSON string[]; empty = all
  created_at: string;
  archived_at: string | null;
}

export interface FieldPoliciesTable {
  id: string;
  version: number;
  rules: string; // JSON: MandatoryFieldRule[]
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface DocumentsTable {
  id: string;
  partner_id: string;
  type: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  expires_on: string | null;
  status: string; // pending | approved | rejected
  review_reason: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  uploaded_by: string;
  created_at: string;
  archived_at: string | null;
  note: string | null; // 0040
  archived_by: string | null; // 0040
  archive_reason: string | null; // 0040
}

export interface TermsVersionsTable {
  id: string;
  partner_id: string;
  version: number;
  status: string; // pending_approval | approved | rejected | withdrawn
  plan: string; // JSON: the commercial plan
  currency: string;
  effective_from: string; // YYYY-MM-DD
  required_role: string;
  note: string | null;
  proposed_by: string;
  proposed_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  accepted_at: string | null;
  accepted_by: string | null;
  acceptance_note: string | null;
  created_at: string;
  updated_at: string;
  accepted_via: string | null; // 0050: partner | on_behalf
}

export interface ApprovalAuthoritiesTable {
  id: string;
  role: string;
  currency: string;
  metric: string; // cpa_amount | rebate_per_lot | revshare_bps | subib_override_per_lot | subib_override_bps
  max_value: number;
  updated_at: string;
}

export interface TasksTable {
  id: string;
  partner_id: string;
  stage: string;
  key: string;
  team: string; // compliance | finance | support | ops
  title: string;
  description: string | null;
  assignee_id: string | null;
  status: string; // open | in_progress | done | cancelled
  due_at: string | null;
  sla_business_hours: number | null;
  paused_at: string | null;
  paused_reason: string | null;
  paused_business_ms: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  cancelled_reason: string | null;
  completed_by: string | null;
  version: number;
}

export interface SlaPoliciesTable {
  id: string;
  team: string;
  task_key: string; // a task key, or '*' for any task of the team
  business_hours: number;
  updated_at: string;
}

// 0070: due diligence, restricted countries, payout details, risk flags
export interface DdCasesTable {
  id: string;
  partner_id: string;
  open_partner_id: string | null; // partner_id while undecided (one open case per partner)
  kind: string; // kyc | kyb
  status: string; // open | more_requested | approved | rejected
  regulated_entity: string | null;
  registration: string | null; // JSON { number, country, registry, incorporatedOn }
  identity_document_id: string | null;
  address_document_id: string | null;
  marketing_methods: string; // JSON string[]
  target_countries: string; // JSON string[]
  website_reviews: string; // JSON WebsiteReview[]
  waiting_since: string | null;
  waiting_ms_total: number;
  decision: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  opened_by: string;
  opened_at: string;
  updated_at: string;
}

export interface DdPartiesTable {
  id: string;
  case_id: string;
  partner_id: string;
  kind: string; // person | entity
  name: string;
  roles: string; // JSON ('director' | 'shareholder' | 'ubo')[]
  country: string | null;
  shareholding_bps: number | null;
  beneficial_bps: number | null;
  identity_document_id: string | null;
  address_document_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DdScreeningsTable {
  id: string;
  case_id: string;
  partner_id: string;
  party_id: string | null;
  result: string; // clear | possible_match | true_match
  list_types: string; // JSON string[]
  provider: string;
  screened_on: string;
  reference: string | null;
  note: string | null;
  recorded_by: string;
  recorded_at: string;
}

export interface DocRequestsTable {
  id: string;
  case_id: string;
  partner_id: string;
  addressed_to: string; // bdm | partner
  items: string; // JSON string[]
  status: string; // open | answered | withdrawn
  requested_by: string;
  created_at: string;
  answered_at: string | null;
  answered_by: string | null;
  answer_note: string | null;
  answer_document_ids: string | null; // JSON string[]
}

export interface RestrictedCountriesTable {
  entity: string;
  country: string;
  reason: string;
  updated_at: string;
}

export interface PayoutDetailsTable {
  id: string;
  partner_id: string;
  version: number;
  method: string;
  currency: string;
  account_holder: string;
  details: string; // JSON, shape per method
  changed_by: string;
  changed_at: string;
  verified_by: string | null;
  verified_at: string | null;
  verify_note: string | null;
}

export interface RiskFlagsTable {
  id: string;
  partner_id: string;
  category: string;
  severity: string;
  blocking: number;
  title: string;
  details: string | null;
  status: string; // open | resolved
  raised_by: string;
  raised_at: string;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
}

export interface ChecklistTemplatesTable {
  id: string;
  partner_type: string;
  version: number;
  stages: string; // JSON: { [gateStage]: { items: ChecklistItem[], tasks: StageTaskTemplate[] } }
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface StageHistoryTable {
  id: string;
  partner_id: string;
  stage: string;
  from_stage: string | null;
  move: string; // created | advanced | moved_back | rejected | suspended | resumed | offboarded | recorded
  entered_at: string;
  exited_at: string | null; // null: the partner is in this stage now (at most one open row per partner)
  entered_by: string;
  reason: string | null;
  template_id: string | null;
  template_version: number | null;
  backfilled: number; // 1: recorded later for a partner already in the stage; entered_at is not exact
}

export interface GateTicksTable {
  id: string;
  partner_id: string;
  history_id: string;
  stage: string;
  item_key: string;
  ticked_by: string;
  ticked_at: string;
  comment: string | null;
  evidence: string | null; // JSON: { documentId?, url? }
  unticked_by: string | null;
  unticked_at: string | null;
  untick_reason: string | null;
}

export interface HandoversTable {
  id: string;
  partner_id: string;
  history_id: string;
  snapshot: string; // JSON: the handover record as generated on entering the handover stage
  created_by: string;
  created_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  acknowledgement_note: string | null;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  api_keys: ApiKeysTable;
  role_permissions: RolePermissionsTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  settings: SettingsTable;
  partners: PartnersTable;
  partner_tags: PartnerTagsTable;
  contacts: ContactsTable;
  custom_field_defs: CustomFieldDefsTable;
  field_policies: FieldPoliciesTable;
  documents: DocumentsTable;
  terms_versions: TermsVersionsTable;
  approval_authorities: ApprovalAuthoritiesTable;
  checklist_templates: ChecklistTemplatesTable;
  stage_history: StageHistoryTable;
  gate_ticks: GateTicksTable;
  handovers: HandoversTable;
  dd_cases: DdCasesTable; // 0070
  dd_parties: DdPartiesTable; // 0070
  dd_screenings: DdScreeningsTable; // 0070
  doc_requests: DocRequestsTable; // 0070
  restricted_countries: RestrictedCountriesTable; // 0070
  payout_details: PayoutDetailsTable; // 0070
  risk_flags: RiskFlagsTable; // 0070
  tasks: TasksTable; // 0080
  sla_policies: SlaPoliciesTable; // 0080
  links: LinksTable; // 0090
  clicks: ClicksTable; // 0090
  click_rollups: ClickRollupsTable; // 0090
  partner_postbacks: PartnerPostbacksTable; // 0100
  postback_deliveries: PostbackDeliveriesTable; // 0100
  postback_attempts: PostbackAttemptsTable; // 0100
  event_sources: EventSourcesTable; // 0110
  programmes: ProgrammesTable; // 0110
  clients: ClientsTable; // 0110
  events: EventsTable; // 0110
  event_rollups: EventRollupsTable; // 0110
  event_inbox: EventInboxTable; // 0110
  attribution_decisions: AttributionDecisionsTable; // 0110
  tracking_tests: TrackingTestsTable; // 0120
  tracking_monitors: TrackingMonitorsTable; // 0120
  tracking_reconciliations: TrackingReconciliationsTable; // 0120
  partner_day_click_rollups: PartnerDayClickRollupsTable; // 0130
  partner_day_event_rollups: PartnerDayEventRollupsTable; // 0130
}

export interface TrackingTestsTable {
  id: string; // tqa_…
  partner_id: string;
  link_id: string;
  trigger: string; // manual | monitor
  requested_by: string | null; // user or API key id; null for the monitor
  requested_by_name: string;
  status: string; // running | passed | failed | error
  failed_step: string | null; // the key of the first failed step
  summary: string | null; // one line: what passed, or what failed and why
  options: string; // JSON: what was asked (sub-IDs, event types, expected landing text)
  setup: string | null; // JSON: what was configured when the test ran (link, programme, postbacks)
  steps: string; // JSON: every step with its status, timing and evidence
  click_id: string | null;
  client_external_id: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  runner: string | null; // the instance that ran it (a running test of a dead instance is closed at start)
}

export interface TrackingMonitorsTable {
  link_id: string;
  partner_id: string;
  enabled: number;
  interval_hours: number;
  next_run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_test_id: string | null;
  last_status: string | null; // passed | failed | error
  last_run_at: string | null;
  consecutive_failures: number;
  open_flag_id: string | null; // the risk flag this monitor raised and has not seen fixed yet
  created_at: string;
  updated_at: string;
  version: number;
}

export interface TrackingReconciliationsTable {
  id: string; // rcn_…
  partner_id: string;
  from_day: string;
  to_day: string;
  file_name: string | null;
  file_sha256: string;
  row_count: number;
  band: string; // normal | watch | investigate (the worst row's)
  result: string; // JSON: totals and one row per day and sub-ID with ours, theirs, the difference and its band
  created_by: string | null;
  created_at: string;
}

export interface PartnerPostbacksTable {
  id: string;
  partner_id: string;
  event_type: string; // registration | kyc_approved | ftd | qualified_ftd | deposit | withdrawal | trade | chargeback
  method: string; // GET | POST
  url_template: string;
  body_template: string | null;
  content_type: string | null; // POST: application/json | application/x-www-form-urlencoded | text/plain
  // A per-postback signing secret, like a webhook secret: kept as is because it must sign every delivery.
  signing_secret: string | null;
  status: string; // active | disabled
  disabled_reason: string | null;
  consecutive_failures: number;
  first_failure_at: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface PostbackDeliveriesTable {
  id: string;
  postback_id: string;
  partner_id: string;
  event_id: string | null; // null for test deliveries
  outbox_id: string | null;
  event_type: string;
  macro_values: string; // JSON: the macro values of the event
  is_test: number;
  attempt_no: number; // attempts made so far
  status: string; // pending | succeeded | failed | dead | cancelled
  next_attempt_at: string | null;
  locked_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface PostbackAttemptsTable {
  id: string;
  delivery_id: string;
  postback_id: string;
  partner_id: string;
  attempt_no: number;
  via: string; // schedule | resend | test
  method: string;
  url: string; // as sent, with secret-looking query values redacted
  started_at: string;
  latency_ms: number;
  status_code: number | null;
  error: string | null; // timeout | refused_private | dns | connection | redirect | invalid_url | http_status | rejected_body
  error_detail: string | null;
  response_start: string | null; // first 1 KB of the answer
  outcome: string; // success | failure
  worker: string | null;
}

export interface LinksTable {
  id: string;
  seq: number; // unique, assigned at creation; carried inside click ids
  partner_id: string;
  code: string; // case-sensitive, [A-Za-z0-9_-]{3,64}
  name: string;
  landing_url: string; // may contain {click_id} and {sub1}..{sub5}
  campaign: string | null;
  status: string; // active | paused | archived
  allowed_countries: string; // JSON: ISO2 codes, [] = all
  programme_id: string | null; // 0110: attribution windows; null = the default programme
  created_by: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ClicksTable {
  id: string; // the click id (see modules/tracking/click-id.ts)
  link_id: string;
  partner_id: string;
  ts: string;
  ip: string | null;
  user_agent: string | null;
  referrer: string | null;
  country: string | null; // only with a GeoIP database configured
  geo_allowed: number | null; // 1/0 against the link's allowed countries; null when unknown or no list
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  is_bot: number;
  is_duplicate: number;
  is_test: number; // 0120: the click of a tracking QA run (stored as evidence, never in rollups)
}

export interface ClickRollupsTable {
  day: string; // YYYY-MM-DD (UTC)
  link_id: string;
  sub1: string; // '' when the click had none
  partner_id: string;
  clicks: number;
  unique_clicks: number; // neither duplicate nor bot
  bots: number;
}

/** click_rollups summed per partner and day (same transaction as click_rollups; stats read it when they can). */
export interface PartnerDayClickRollupsTable {
  day: string;
  partner_id: string;
  clicks: number;
  unique_clicks: number;
  bots: number;
}

export interface EventSourcesTable {
  id: string;
  name: string;
  kind: string; // back_office | crm | payments | other
  description: string | null;
  token_hash: string; // SHA-256 (hex) of the secret token; the token itself is shown once
  token_hint: string; // its last 4 characters, to tell tokens apart
  // Kept as is (like a webhook secret): it must verify every signed request.
  signing_secret: string | null;
  status: string; // active | disabled
  last_event_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ProgrammesTable {
  id: string;
  name: string;
  is_default: number;
  min_click_to_event_seconds: number;
  max_click_age_days: number;
  ftd_definition: string; // first_deposit | deposits_24h
  qualifying_deposit_minor: number;
  qualifying_currency: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ClientsTable {
  id: string;
  external_id: string; // the trading account / client id in the broker's back office
  partner_id: string | null;
  link_id: string | null;
  click_id: string | null;
  attribution: string; // click | referral | manual | none
  attributed_at: string | null;
  country: string | null;
  first_event_at: string;
  programme_id: string | null; // the programme of its attribution (windows, FTD definition, qualification)
  ftd_at: string | null;
  ftd_event_id: string | null;
  ftd_amount_minor: number | null; // the first deposit, or the deposits within 24 h of it (deposits_24h)
  ftd_currency: string | null;
  qualified_at: string | null;
  is_test: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface EventsTable {
  id: string;
  source_id: string;
  type: string; // registration | kyc_approved | ftd | deposit | withdrawal | trade | chargeback
  txid: string;
  occurred_at: string;
  received_at: string;
  client_id: string | null;
  click_id: string | null; // as received
  partner_id: string | null;
  link_id: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
  country: string | null;
  attribution: string; // click | referral | client | manual | none
  attribution_note: string | null; // why not attributed (unknown_click, forged_click, too_fast, too_old, ...)
  amount_minor: number | null;
  currency: string | null;
  lots: number | null; // hundredths of a lot
  instrument_group: string | null;
  revenue_minor: number | null;
  is_ftd: number;
  is_qualified_ftd: number;
  is_test: number;
  tracking_test_id: string | null;
}

export interface EventRollupsTable {
  day: string;
  partner_id: string;
  link_id: string; // '' when attributed without a link
  sub1: string; // '' when none
  currency: string; // '' for events without an amount
  registrations: number;
  kyc_approved: number;
  ftds: number;
  qualified_ftds: number;
  ftd_amount_minor: number;
  deposits: number;
  deposit_amount_minor: number;
  withdrawals: number;
  withdrawal_amount_minor: number;
  trades: number;
  lots: number;
  revenue_minor: number;
  chargebacks: number;
  chargeback_amount_minor: number;
}

/** event_rollups summed per partner, day and currency (same transaction as event_rollups). */
export type PartnerDayEventRollupsTable = Omit<EventRollupsTable, 'link_id' | 'sub1'>;

export interface EventInboxTable {
  id: string;
  received_at: string;
  channel: string; // postback | api
  source_id: string | null;
  method: string;
  path: string;
  content_type: string | null;
  ip: string | null;
  raw: string; // the request as received (query and body; the token redacted), at most 64 KiB
  problem: string; // JSON: the problem answered
  status: string; // open | resolved
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: string | null;
}

export interface AttributionDecisionsTable {
  id: string;
  client_id: string;
  from_partner_id: string | null;
  to_partner_id: string;
  reason: string;
  status: string; // pending | approved | rejected
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  version: number;
}
