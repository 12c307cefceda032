// What the API's statuses mean, in words a person understands at a glance.

/** The one status of a domain: {label, tone} where tone is ok, wait, bad or idle (colour and words). */
export function domainStatus(d) {
  const v = d.verification_status || 'NOT_STARTED';
  const k = d.dkim_status || 'NOT_STARTED';
  if (v === 'SUCCESS' && k === 'SUCCESS') {
    return d.send_enabled === false ? { label: 'Verified, sending off', tone: 'idle' }
      : { label: 'Verified', tone: 'ok' };
  }
  if (v === 'FAILED' || k === 'FAILED') return { label: 'Failed', tone: 'bad' };
  if (v === 'TEMPORARY_FAILURE' || k === 'TEMPORARY_FAILURE') return { label: 'Temporary failure, retrying', tone: 'bad' };
  if (v === 'PENDING' || k === 'PENDING') return { label: 'Waiting for DNS', tone: 'wait' };
  return { label: 'Setting up', tone: 'idle' };
}

export function isVerified(d) {
  return d.verification_status === 'SUCCESS' && d.dkim_status === 'SUCCESS';
}

/** What each SES status says. */
export const SES_FIELDS = [
  ['verification_status', 'Domain identity', 'SES verifies the domain once it finds the DKIM records.'],
  ['dkim_status', 'DKIM signing', 'The three DKIM CNAME records that let SES sign mail for the domain.'],
  ['mail_from_status', 'Custom MAIL FROM', 'The MX and SPF records of the MAIL FROM domain; until they are found, SES uses its own amazonses.com bounce domain.'],
];

export const SES_VALUES = {
  NOT_STARTED: { label: 'Not started', tone: 'idle', meaning: 'SES has not started checking yet.' },
  PENDING: { label: 'Pending', tone: 'wait', meaning: 'SES is looking for the records in DNS; publish them and it will find them (usually within minutes, at most 72 hours).' },
  SUCCESS: { label: 'Success', tone: 'ok', meaning: 'SES found the records.' },
  FAILED: { label: 'Failed', tone: 'bad', meaning: 'SES did not find the records within 72 hours. Fix the records below; checking starts again.' },
  TEMPORARY_FAILURE: { label: 'Temporary failure', tone: 'bad', meaning: 'SES could not check DNS for now and will try again.' },
};

/** Returns what `status` means in `table` (SES_VALUES or DNS_CHECKS), or a neutral entry for an unknown one. */
export function meaning(table, status, unknown = 'Unknown') {
  return table[status] || { label: status || unknown, tone: 'idle', meaning: '' };
}

/** The live DNS check of one record. */
export const DNS_CHECKS = {
  VALID: { label: 'Valid', tone: 'ok', meaning: 'Published correctly.' },
  MISSING: { label: 'Missing', tone: 'wait', meaning: 'Not found in DNS yet.' },
  MISMATCH: { label: 'Mismatch', tone: 'bad', meaning: 'Something else is published at this name.' },
  CONFLICT: { label: 'Conflict', tone: 'bad', meaning: 'Another record there conflicts with this one.' },
  ERROR: { label: 'Lookup failed', tone: 'bad', meaning: 'The DNS lookup failed; try again.' },
};

export const PURPOSES = {
  DKIM: 'DKIM signing (required)',
  MAIL_FROM_MX: 'MAIL FROM bounces',
  MAIL_FROM_SPF: 'MAIL FROM SPF',
  SPF: 'SPF',
  DMARC: 'DMARC',
  INBOUND_MX: 'Receiving mail',
};

export const SUBMISSION_FINAL = ['SENT', 'FAILED'];
