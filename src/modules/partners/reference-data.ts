// The closed lists a partner record is checked against: partner kinds, types, stages, tiers, traffic sources,
// ISO 3166-1 alpha-2 countries and ISO 639-1 languages. Kept in code (not the database) because they change
// with a release, not with a workspace setting.

export const PARTNER_KINDS = ['individual', 'company'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

export const PARTNER_TYPES = ['ib', 'affiliate', 'white_label', 'network', 'influencer'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export const PARTNER_STAGES = [
  'intake',
  'due_diligence',
  'tracking_setup',
  'activation_readiness',
  'handover',
  'active',
  'rejected',
  'suspended',
  'offboarded',
] as const;
export type PartnerStage = (typeof PARTNER_STAGES)[number];

/**
 * Commercial tiers. A closed list (not free text) so that reports and filters group cleanly; a workspace that
 * needs another grouping uses a custom field of type select.
 */
export const PARTNER_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const;
export type PartnerTier = (typeof PARTNER_TIERS)[number];

export const TRAFFIC_SOURCES = [
  'seo',
  'ppc',
  'social',
  'email',
  'influencer',
  'youtube',
  'telegram',
  'signals',
  'education',
  'offline',
  'other',
] as const;
export type TrafficSource = (typeof TRAFFIC_SOURCES)[number];

export const CONTACT_ROLES = [
  'primary',
  'billing',
  'technical',
  'compliance',
  'marketing',
  'signatory',
  'other',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** Roles whose users may own (be the BDM of) a partner. */
export const OWNER_ROLES = ['bdm', 'team_lead', 'leadership', 'admin'] as const;

/** How deep an IB hierarchy may go: a top-level IB is level 1, its sub-IB level 2, and so on. */
export const MAX_HIERARCHY_DEPTH = 5;

/** ISO 3166-1 alpha-2 (the 249 officially assigned codes). */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
    'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
    'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO ' +
    'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW ' +
    'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM ' +
    'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** ISO 639-1 two-letter language codes (current; the withdrawn "bh" is not accepted). */
export const LANGUAGE_CODES: ReadonlySet<string> = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el ' +
    'en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it ' +
    'iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt ' +
    'my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl ' +
    'sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo ' +
    'za zh zu'
  ).split(' '),
);
