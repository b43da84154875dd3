// Named shapes from the generated schema, so pages say `Partner`, not components['schemas']['Partner'].
import type { components } from './schema';

type S = components['schemas'];
export type Session = S['Session'];
export type User = S['User'];
export type Partner = S['Partner'];
export type PartnerCreate = S['PartnerCreate'];
export type PartnerPatch = S['PartnerPatch'];
export type MandatoryEvaluation = S['MandatoryFieldsEvaluation'];
export type FieldRef = S['FieldRef'];
export type Doc = S['Document'];
export type TermsVersion = S['TermsVersion'];
export type CommissionPlan = S['CommissionPlan'];
export type ApprovalItem = S['ApprovalItem'];
export type CustomField = S['CustomField'];
export type Contact = S['Contact'];
export type TimelineItem = S['TimelineItem'];
export type AuditEntry = S['AuditEntry'];
export type MandatoryPolicy = S['MandatoryFieldPolicyWithCatalogue'];
export type MandatoryRule = S['MandatoryFieldRule'];
