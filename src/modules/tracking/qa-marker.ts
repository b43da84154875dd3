// The header a tracking QA run sends with its own click, so the click path stores that click as a test (kept as
// evidence, never in rollups or stats). It is signed with the instance secret: a visitor cannot mark clicks.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const QA_HEADER = 'x-partnerdesk-qa';
/** The answer header that tells a QA run the id of the click it just made. */
export const QA_CLICK_ID_HEADER = 'x-partnerdesk-click-id';

function mac(secret: string, testId: string): string {
  return createHmac('sha256', secret).update(`tracking-qa:${testId}`).digest('base64url').slice(0, 32);
}

/** The header value for a test run: `<test id>.<MAC>`. */
export function qaMarkerFor(secret: string, testId: string): string {
  return `${testId}.${mac(secret, testId)}`;
}

/** A checker for the header: true only for a value this instance's secret signed. */
export function qaMarkerChecker(secret: string): (value: string | string[] | undefined) => boolean {
  return (value) => {
    if (typeof value !== 'string' || value.length > 128) return false;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return false;
    const want = Buffer.from(mac(secret, value.slice(0, dot)));
    const got = Buffer.from(value.slice(dot + 1));
    return got.length === want.length && timingSafeEqual(got, want);
  };
}
