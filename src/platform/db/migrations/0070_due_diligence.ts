import type { Kysely } from 'kysely';

// Due diligence (KYC/KYB cases, their parties, screening results, documentation requests), the firm's
// restricted-country list per regulated entity, versioned payout details verified by Finance, and risk flags.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dd_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    // Set to partner_id while the case is undecided, null after: a unique index keeps one open case per partner.
    .addColumn('open_partner_id', 'text', (c) => c.unique())
    .addColumn('kind', 'text', (c) => c.notNull()) // kyc | kyb
    .addColumn('status', 'text', (c) => c.notNull()) // open | more_requested | approved | rejected
    .addColumn('regulated_entity', 'text')
    .addColumn('registration', 'text') // JSON { number, country, registry, incorporatedOn } (KYB)
    .addColumn('identity_document_id', 'text') // KYC
    .addColumn('address_document_id', 'text') // KYC
    .addColumn('marketing_methods', 'text', (c) => c.notNull()) // JSON string[]
    .addColumn('target_countries', 'text', (c) => c.notNull()) // JSON string[]
    .addColumn('website_reviews', 'text', (c) => c.notNull()) // JSON WebsiteReview[]
    .addColumn('waiting_since', 'text')
    .addColumn('waiting_ms_total', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('decision', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dd_cases_partner')
    .on('dd_cases')
    .columns(['partner_id', 'opened_at'])
    .execute();

  await db.schema
    .createTable('dd_parties')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('dd_cases.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // person | entity
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull()) // JSON ('director' | 'shareholder' | 'ubo')[]
    .addColumn('country', 'text')
    .addColumn('shareholding_bps', 'integer')
    .addColumn('beneficial_bps', 'integer')
    .addColumn('identity_document_id', 'text')
    .addColumn('address_document_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dd_parties_case')
    .on('dd_parties')
    .columns(['case_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('dd_screenings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('dd_cases.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('party_id', 'text') // null: the partner itself (the individual or the company)
    .addColumn('result', 'text', (c) => c.notNull()) // clear | possible_match | true_match
    .addColumn('list_types', 'text', (c) => c.notNull()) // JSON ('sanctions' | 'pep' | 'adverse_media')[]
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('screened_on', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dd_screenings_case')
    .on('dd_screenings')
    .columns(['case_id', 'recorded_at'])
    .execute();

  await db.schema
    .createTable('doc_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('dd_cases.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('addressed_to', 'text', (c) => c.notNull()) // bdm | partner
    .addColumn('items', 'text', (c) => c.notNull()) // JSON string[]
    .addColumn('status', 'text', (c) => c.notNull()) // open | answered | withdrawn
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answer_note', 'text')
    .addColumn('answer_document_ids', 'text') // JSON string[]
    .execute();
  await db.schema
    .createIndex('doc_requests_case')
    .on('doc_requests')
    .columns(['case_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('restricted_countries')
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('restricted_countries_pk', ['entity', 'country'])
    .execute();

  await db.schema
    .createTable('payout_details')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('account_holder', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull()) // JSON, shape per method
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('verified_by', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verify_note', 'text')
    .addUniqueConstraint('payout_details_partner_version', ['partner_id', 'version'])
    .execute();

  await db.schema
    .createTable('risk_flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('blocking', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // open | resolved
    .addColumn('raised_by', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('resolution', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema
    .createIndex('risk_flags_partner')
    .on('risk_flags')
    .columns(['partner_id', 'status'])
    .execute();
  await db.schema.createIndex('risk_flags_raised').on('risk_flags').columns(['raised_at', 'id']).execute();

  // Defaults a firm starts from; Compliance edits them under Admin → Restricted countries.
  const now = new Date().toISOString();
  const rows: { entity: string; country: string; reason: string; updated_at: string }[] = [];
  const add = (entity: string, list: [string, string][]) => {
    for (const [country, reason] of list) rows.push({ entity, country, reason, updated_at: now });
  };
  const sanctioned: [string, string][] = [
    ['IR', 'Comprehensive sanctions (EU/UN/OFAC); FATF call for action'],
    ['KP', 'Comprehensive sanctions (EU/UN/OFAC); FATF call for action'],
    ['SY', 'EU/OFAC sanctions'],
    ['CU', 'OFAC sanctions'],
    ['MM', 'FATF call for action'],
  ];
  add('CySEC', [
    ['US', 'Not authorised to offer CFDs to US persons (CFTC/SEC)'],
    ['CA', 'Provincial securities regulators: no passport for CySEC firms'],
    ['BE', 'FSMA Belgium bans distribution of CFDs to retail clients'],
    ['JP', 'FSA Japan registration required'],
    ['RU', 'EU restrictive measures (Regulation 833/2014)'],
    ...sanctioned,
  ]);
  add('FSCA', [
    ['US', 'Not authorised to offer CFDs to US persons (CFTC/SEC)'],
    ['CA', 'Provincial securities regulators: not authorised'],
    ['BE', 'FSMA Belgium bans distribution of CFDs to retail clients'],
    ['GB', 'FCA authorisation required for UK retail promotions (s21 FSMA)'],
    ...sanctioned,
  ]);
  add('FSA Seychelles', [
    ['US', 'Not authorised to offer CFDs to US persons (CFTC/SEC)'],
    ['CA', 'Provincial securities regulators: not authorised'],
    ['GB', 'FCA authorisation required for UK retail promotions (s21 FSMA)'],
    ['FR', 'AMF ban on electronic advertising of leveraged CFDs to retail'],
    ['BE', 'FSMA Belgium bans distribution of CFDs to retail clients'],
    ['AU', 'ASIC licence required'],
    ...sanctioned,
  ]);
  // biome-ignore lint/suspicious/noExplicitAny: the migration runs against an untyped schema
  const typed = db as Kysely<any>;
  await typed.insertInto('restricted_countries').values(rows).execute();

  // A workspace whose grants were seeded before these permissions existed gets their default grants now
  // (a fresh workspace is seeded from DEFAULT_GRANTS after the migrations run).
  const seeded = await typed.selectFrom('role_permissions').select('role').limit(1).executeTakeFirst();
  if (seeded) {
    const grants: Record<string, string[]> = {
      leadership: ['dd.read', 'payouts.details_read', 'risk.read'],
      team_lead: [
        'dd.read',
        'dd.respond',
        'payouts.details_read',
        'payouts.details_write',
        'risk.read',
        'risk.manage',
      ],
      bdm: ['dd.read', 'dd.respond', 'payouts.details_write', 'risk.read'],
      ops: [
        'dd.read',
        'dd.respond',
        'payouts.details_read',
        'payouts.details_write',
        'risk.read',
        'risk.manage',
      ],
      compliance: ['dd.read', 'dd.manage', 'risk.read', 'risk.manage'],
      finance: ['dd.read', 'payouts.details_read', 'payouts.details_write', 'payouts.verify', 'risk.read'],
      support: ['dd.read', 'risk.read'],
      partner: ['dd.respond', 'payouts.details_read', 'payouts.details_write'],
      read_only: ['dd.read', 'risk.read'],
    };
    const values = Object.entries(grants).flatMap(([role, perms]) =>
      perms.map((permission) => ({ role, permission })),
    );
    await typed.insertInto('role_permissions').values(values).execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only; restore a backup to go back.');
}
