// Request and response shapes of payout details. The details object is checked per method: IBAN (mod 97)
// and SWIFT/BIC for bank transfers, an e-mail for Wise/Skrill/Neteller, an address for USDT.
import { z } from 'zod';
import { currencySchema } from '../../platform/money.ts';
import { countryCode, personRef } from './dd.schemas.ts';
import {
  bicProblem,
  ethAddressProblem,
  ibanProblem,
  normalizeIban,
  tronAddressProblem,
} from './payout-validation.ts';

export const PAYOUT_METHODS = [
  'bank_transfer',
  'wise',
  'skrill',
  'neteller',
  'usdt_trc20',
  'usdt_erc20',
  'other',
] as const;
export type PayoutMethod = (typeof PAYOUT_METHODS)[number];

const checked = (problem: (v: string) => string | null) =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .superRefine((v, c) => {
      const p = problem(v);
      if (p) c.addIssue({ code: 'custom', message: p });
    });

const email = z.email({ message: 'must be an e-mail address' }).max(254);

const bankDetails = z
  .object({
    iban: checked(ibanProblem).transform(normalizeIban).optional(),
    accountNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 -]{4,34}$/, 'must be 4 to 34 letters or digits')
      .optional()
      .describe('For countries without IBAN'),
    routingCode: z.string().trim().min(1).max(34).optional().describe('Sort code, ABA or IFSC where used'),
    swiftBic: checked(bicProblem).transform((v) => v.replace(/\s+/g, '').toUpperCase()),
    bankName: z.string().trim().min(1).max(200),
    bankCountry: countryCode,
  })
  .strict()
  .superRefine((v, c) => {
    if (!v.iban && !v.accountNumber) {
      c.addIssue({
        code: 'custom',
        path: ['iban'],
        message: 'give an IBAN (or an account number where IBAN is not used)',
      });
    }
    if (v.iban && v.accountNumber) {
      c.addIssue({
        code: 'custom',
        path: ['accountNumber'],
        message: 'give either an IBAN or an account number, not both',
      });
    }
  });

const walletDetails = z.object({ email }).strict();

const base = z.object({
  currency: currencySchema,
  accountHolder: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('Name on the account, as the bank or wallet has it'),
});

export const payoutDetailsBodySchema = z.discriminatedUnion('method', [
  base.extend({ method: z.literal('bank_transfer'), details: bankDetails }).strict(),
  base.extend({ method: z.literal('wise'), details: walletDetails }).strict(),
  base.extend({ method: z.literal('skrill'), details: walletDetails }).strict(),
  base.extend({ method: z.literal('neteller'), details: walletDetails }).strict(),
  base
    .extend({
      method: z.literal('usdt_trc20'),
      details: z.object({ address: checked(tronAddressProblem) }).strict(),
    })
    .strict(),
  base
    .extend({
      method: z.literal('usdt_erc20'),
      details: z.object({ address: checked(ethAddressProblem) }).strict(),
    })
    .strict(),
  base
    .extend({
      method: z.literal('other'),
      details: z.object({ instructions: z.string().trim().min(1).max(2000) }).strict(),
    })
    .strict(),
]);
export type PayoutDetailsInput = z.infer<typeof payoutDetailsBodySchema>;

export const verifyBodySchema = z
  .object({
    note: z.string().trim().max(2000).nullish().describe('How the details were checked'),
    version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('The version being verified; refused if it is no longer current'),
  })
  .strict();

export const payoutDetailsSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    version: z.number().int(),
    method: z.enum(PAYOUT_METHODS),
    currency: z.string(),
    accountHolder: z.string(),
    details: z.record(z.string(), z.string()),
    masked: z.boolean().describe('Account numbers are masked for roles that may not verify details'),
    changedBy: personRef,
    changedAt: z.string(),
    verified: z.boolean(),
    verifiedBy: personRef.nullable(),
    verifiedAt: z.string().nullable(),
    verifyNote: z.string().nullable(),
  })
  .meta({ id: 'PayoutDetails' });

export const payoutDetailsStateSchema = z
  .object({
    current: payoutDetailsSchema.nullable(),
    history: z.array(payoutDetailsSchema).describe('Every version, newest first (the current one included)'),
  })
  .meta({ id: 'PayoutDetailsState' });
