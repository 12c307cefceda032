// The HTTP/JSON API of the service that serves this page, called with the signed-in person's key.
// The key lives in sessionStorage only: never in a URL, never logged.

const KEY_ITEM = 'domainkeeper.apiKey';

export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

export function rememberKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

/** An error answer: HTTP status, gRPC code name, the API's message, and the field it names (if any). */
export class ApiError extends Error {
  constructor(status, grpcCode, message) {
    super(message);
    this.status = status;
    this.grpcCode = grpcCode;
    // Messages start with the field name: `domain: "exa mple.com" is not a valid domain name`.
    const m = /^([a-z_]+):\s/.exec(message || '');
    this.field = m ? m[1] : null;
  }
}

/** Calls the API; answers the parsed JSON body or throws ApiError. `key` defaults to the stored one. */
export async function call(method, path, body, key = storedKey()) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'UNAVAILABLE', 'The service did not answer (' + e.message + ').');
  }
  const text = await response.text();
  let json = {};
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = { message: text }; }
  }
  if (!response.ok) {
    throw new ApiError(response.status, json['grpc-code'] || String(response.status),
      json.message || response.statusText || ('HTTP ' + response.status));
  }
  return json;
}

export const api = {
  listDomains: (pageToken, key) => call('GET', '/domains?page_size=20'
    + (pageToken ? '&page_token=' + encodeURIComponent(pageToken) : ''), undefined, key),
  getDomain: (id, withDns) => call('GET', '/domains/' + encodeURIComponent(id)
    + (withDns ? '?include_dns_validation=true' : '')),
  addDomain: (request) => call('POST', '/domains', request),
  updateDomain: (id, changes) => call('PATCH', '/domains/' + encodeURIComponent(id), changes),
  removeDomain: (id) => call('DELETE', '/domains/' + encodeURIComponent(id)),
  dnsProvider: (id) => call('GET', '/domains/' + encodeURIComponent(id) + '/dns-provider'),
  applyRecords: (id, dryRun) => call('POST', '/domains/' + encodeURIComponent(id) + '/apply-records',
    { dry_run: dryRun }),
  sendTestEmail: (request) => call('POST', '/domains/test-email', request),
  getSubmission: (id) => call('GET', '/submissions/' + encodeURIComponent(id)),
};
