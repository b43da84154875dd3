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
}

