// Closed lists the forms offer. Where the API schema has an enum, the list is checked against the generated
// types (`satisfies`), so a change on the server breaks the build here instead of failing at run time.
import type { components } from '../api/schema';

type S = components['schemas'];
type Partner = S['Partner'];

export const PARTNER_KINDS = ['company', 'individual'] as const satisfies readonly Partner['kind'][];
export const PARTNER_TYPES = [
  'ib',
  'affiliate',
  'white_label',
  'network',
  'influencer',
] as const satisfies readonly Partner['type'][];
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
] as const satisfies readonly Partner['stage'][];
export const MAIN_STAGES = PARTNER_STAGES.slice(0, 6);
export const PARTNER_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const;
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

export const TYPE_LABELS: Record<string, string> = {
  ib: 'IB',
  affiliate: 'Affiliate',
  white_label: 'White label',
  network: 'Network',
  influencer: 'Influencer',
};

const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
  'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
  'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO ' +
  'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW ' +
  'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM ' +
  'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export function countryName(code: string | null | undefined): string {
  if (!code) return '—';
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export const COUNTRY_OPTIONS = COUNTRY_CODES.map((c) => ({
  value: c,
  label: `${c} · ${countryName(c)}`,
})).sort((a, b) => a.label.slice(5).localeCompare(b.label.slice(5)));

const LANGUAGE_CODES = (
  'ar bg bn cs da de el en es et fa fi fr he hi hr hu id it ja ka kk ko lt lv ms nl no pl pt ro ru sk sl sq sr sv ' +
  'sw ta th tl tr uk ur uz vi zh'
).split(' ');
const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
export const LANGUAGE_OPTIONS = LANGUAGE_CODES.map((c) => ({
  value: c,
  label: `${c} · ${languageNames.of(c) ?? c}`,
}));

/** The currencies the API accepts (src/platform/money.ts). */
export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'AUD',
  'CAD',
  'CHF',
  'JPY',
  'NZD',
  'SGD',
  'HKD',
  'ZAR',
  'AED',
  'SAR',
  'KWD',
  'BHD',
  'OMR',
  'JOD',
  'TND',
  'PLN',
  'CZK',
  'HUF',
  'SEK',
  'NOK',
  'DKK',
  'TRY',
  'BRL',
  'MXN',
  'CLP',
  'COP',
  'INR',
  'IDR',
  'MYR',
  'THB',
  'VND',
  'PHP',
  'KRW',
  'CNY',
  'NGN',
  'KES',
  'EGP',
  'ISK',
  'USDT',
];
export const INSTRUMENT_GROUPS = [
  'fx_majors',
  'fx_minors',
  'metals',
  'indices',
  'commodities',
  'crypto',
  'stocks',
  'energies',
] as const;
export const REVSHARE_BASES = ['net_revenue', 'spread', 'commission'] as const;

export function options(list: readonly string[], labels?: Record<string, string>) {
  return list.map((v) => ({
    value: v,
    label: labels?.[v] ?? v.charAt(0).toUpperCase() + v.slice(1).replaceAll('_', ' '),
  }));
}
