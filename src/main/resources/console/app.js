// The Domainkeeper console: sign in with an API key, list and add domains, publish their records,
// watch them verify, send test emails. Every call goes to the public HTTP/JSON API.
import { api, ApiError, storedKey, rememberKey, forgetKey } from './api.js';
import { zoneSnippet } from './zone.js';
import {
  domainStatus, isVerified, SES_FIELDS, SES_VALUES, DNS_CHECKS, meaning, PURPOSES, SUBMISSION_FINAL,
} from './status.js';

const POLL_DOMAIN_MS = 5000;
const POLL_SUBMISSION_MS = 1000;
const SIMULATOR_TYPES = [
  ['SIMULATOR_SUCCESS', 'Delivered'],
  ['SIMULATOR_BOUNCE', 'Bounce'],
  ['SIMULATOR_COMPLAINT', 'Complaint'],
  ['SIMULATOR_OOTO', 'Out of office'],
  ['SIMULATOR_SUPPRESSION_LIST', 'Suppression list'],
];

const main = document.getElementById('main');
const nav = document.getElementById('account-nav');

// ---- tiny DOM helpers (text only: nothing from the API is ever parsed as HTML) ----

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Replaces `el`'s children; skips null, undefined and false, flattens arrays (unlike replaceChildren). */
function fill(el, ...children) {
  el.replaceChildren();
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function badge(info, attrs = {}) {
  return h('span', { class: 'badge ' + info.tone, ...attrs }, h('span', { class: 'dot', 'aria-hidden': 'true' }), info.label);
}

function when(timestamp) {
  if (!timestamp) return '';
  const d = new Date(timestamp);
  if (isNaN(d)) return timestamp;
  return h('time', { datetime: timestamp }, d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
}

function errorBox(message, id) {
  return h('p', { class: 'error', role: 'alert', id }, message);
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  const label = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = label; }, 1500);
}

// ---- routing: #/ (domains), #/new (add), #/domains/<id> ----

let generation = 0; // bumps on every navigation; timers of an older page stop themselves
const isCurrent = (g) => g === generation;

function show(title, ...content) {
  document.title = title + ' · Domainkeeper';
  fill(main, ...content);
  const heading = main.querySelector('h1');
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

function route() {
  const g = ++generation;
  if (!storedKey()) { nav.hidden = true; signInPage(); return; }
  nav.hidden = false;
  const hash = location.hash.replace(/^#/, '') || '/';
  const m = /^\/domains\/([^/]+)$/.exec(hash);
  if (hash === '/new') addDomainPage();
  else if (m) domainPage(decodeURIComponent(m[1]), g);
  else domainsPage(g);
}

function signOut(message) {
  forgetKey();
  location.hash = '#/';
  route();
  if (message) document.getElementById('signin-error').textContent = message;
}

/** Shows an API error; a 401 means the key stopped working, so the person signs in again. */
function failed(e, where) {
  if (e instanceof ApiError && e.status === 401) { signOut('Your API key is no longer accepted; sign in again.'); return; }
  fill(where, errorBox(e.message));
}

// ---- sign in ----

function signInPage() {
  const input = h('input', { id: 'signin-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'signin-help signin-error' });
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const form = h('form', { id: 'signin-form', class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    error.textContent = '';
    if (!key) { error.textContent = 'Enter your API key.'; input.focus(); return; }
    try {
      await api.listDomains(null, key);
    } catch (e) {
      error.textContent = e.status === 401
        ? 'That API key was not accepted. Check it and try again.'
        : 'Could not sign in: ' + e.message;
      input.focus();
      return;
    }
    rememberKey(key);
    location.hash = '#/';
    route();
  } },
  h('label', { for: 'signin-key' }, 'API key'),
  input,
  h('p', { id: 'signin-help', class: 'hint' }, 'Starts with dk_. It is kept in this browser tab only and forgotten when you sign out or close the tab.'),
  error,
  h('button', { type: 'submit', id: 'signin-submit', class: 'primary' }, 'Sign in'));
  show('Sign in', h('h1', {}, 'Sign in'), h('p', {}, 'Set up the domains you send email from with Amazon SES.'), form);
  input.focus();
}

// ---- domains list ----

async function domainsPage(g, tokens = ['']) {
  const area = h('div', { id: 'domains-area', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Loading…'));
  show('Domains', h('div', { class: 'title-row' }, h('h1', {}, 'Domains'),
    h('a', { class: 'button primary', href: '#/new', id: 'add-domain-link' }, 'Add a domain')), area);
  let page;
  try {
    page = await api.listDomains(tokens[tokens.length - 1]);
  } catch (e) { if (isCurrent(g)) failed(e, area); return; }
  if (!isCurrent(g)) return;
  const domains = page.domains || [];
  if (domains.length === 0 && tokens.length === 1) {
    fill(area, h('div', { class: 'card empty', id: 'domains-empty' },
      h('h2', {}, 'No domains yet'),
      h('p', {}, 'Add the domain you send email from. Domainkeeper registers it with SES and tells you exactly which DNS records to publish.'),
      h('a', { class: 'button primary', href: '#/new' }, 'Add your first domain')));
    return;
  }
  const rows = domains.map((d) => {
    const status = domainStatus(d);
    return h('tr', { 'data-domain': d.domain },
      h('td', { 'data-label': 'Domain' }, h('a', { href: '#/domains/' + encodeURIComponent(d.id) }, d.domain)),
      h('td', { 'data-label': 'Status' }, badge(status)),
      h('td', { 'data-label': 'Receiving' }, d.receive_enabled ? 'On' : 'Off'),
      h('td', { 'data-label': 'Created' }, when(d.created_at)));
  });
  const pager = h('div', { class: 'pager' });
  if (tokens.length > 1) {
    pager.append(h('button', { type: 'button', id: 'prev-page', onclick: () => domainsPage(++generation, tokens.slice(0, -1)) }, 'Previous page'));
  }
  if (page.next_page_token) {
    pager.append(h('button', { type: 'button', id: 'next-page', onclick: () => domainsPage(++generation, [...tokens, page.next_page_token]) }, 'Next page'));
  }
  fill(area, h('table', { id: 'domains-table', class: 'stack' },
    h('caption', { class: 'offscreen' }, 'Your domains'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Domain'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Receiving'), h('th', { scope: 'col' }, 'Created'))),
    h('tbody', {}, rows)), pager);
}

// ---- the domain settings form, shared by "Add a domain" and "Settings" ----

const DMARC_POLICIES = [['NONE', 'None: report only (default)'], ['QUARANTINE', 'Quarantine: mark as spam'], ['REJECT', 'Reject']];
const SPF_MODES = [
  ['CREATE_IF_MISSING', 'Create if missing (default): publish an SPF record unless one exists'],
  ['MERGE', 'Merge: add include:amazonses.com to the existing record'],
  ['FORCE_VALUE', 'Force value: publish exactly the value below'],
  ['SKIP', 'Skip: manage SPF yourself'],
];

function field(name, label, control, hint) {
  const id = 'f-' + name;
  control.id = id;
  control.name = name;
  const described = [hint ? id + '-hint' : null, id + '-error'].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  const isCheck = control.type === 'checkbox';
  return h('div', { class: 'field' + (isCheck ? ' check' : ''), 'data-field': name },
    isCheck ? [control, h('label', { for: id }, label)] : [h('label', { for: id }, label), control],
    hint ? h('p', { class: 'hint', id: id + '-hint' }, hint) : null,
    h('p', { class: 'field-error', id: id + '-error', role: 'alert' }));
}

function select(options, value) {
  const s = h('select', {}, options.map(([v, text]) => h('option', { value: v }, text)));
  s.value = value;
  return s;
}

function checkbox(checked) {
  const c = h('input', { type: 'checkbox' });
  c.checked = checked;
  return c;
}

/** The settings controls with `d`'s values (defaults for a new domain); returns {fields, read}. */
function settingsFields(d, isNew) {
  const c = {
    send_enabled: checkbox(d.send_enabled ?? true),
    receive_enabled: checkbox(d.receive_enabled ?? false),
    dmarc_enabled: checkbox(d.dmarc_enabled ?? true),
    dmarc_policy: select(DMARC_POLICIES, d.dmarc_policy || 'NONE'),
    dmarc_report_email: h('input', { type: 'email', autocomplete: 'email', placeholder: 'dmarc@example.com' }),
    spf_mode: select(SPF_MODES, d.spf_mode || 'CREATE_IF_MISSING'),
    spf_value: h('input', { type: 'text', spellcheck: 'false', placeholder: 'v=spf1 include:amazonses.com ~all' }),
    mail_from_domain: h('input', { type: 'text', spellcheck: 'false', autocapitalize: 'none' }),
  };
  c.dmarc_report_email.value = d.dmarc_report_email || '';
  c.spf_value.value = d.spf_value || '';
  c.mail_from_domain.value = isNew ? '' : (d.mail_from_domain || '');
  const spfValueField = field('spf_value', 'SPF value', c.spf_value, 'Used only with "Force value".');
  const syncSpf = () => { spfValueField.hidden = c.spf_mode.value !== 'FORCE_VALUE'; };
  c.spf_mode.addEventListener('change', syncSpf);
  syncSpf();
  const fields = [
    field('send_enabled', 'Sending (default on)', c.send_enabled),
    field('receive_enabled', 'Receiving (default off): publish an MX record that delivers mail for the domain to SES', c.receive_enabled),
    field('dmarc_enabled', 'DMARC record (default on)', c.dmarc_enabled),
    field('dmarc_policy', 'DMARC policy', c.dmarc_policy),
    field('dmarc_report_email', 'DMARC report email (optional)', c.dmarc_report_email, 'Where receivers send aggregate DMARC reports.'),
    field('spf_mode', 'SPF', c.spf_mode),
    spfValueField,
    field('mail_from_domain', 'MAIL FROM domain', c.mail_from_domain, isNew ? 'Default: mail.<your domain>. Bounces go to this subdomain.' : 'Bounces go to this subdomain.'),
  ];
  const read = () => {
    const r = {
      send_enabled: c.send_enabled.checked,
      receive_enabled: c.receive_enabled.checked,
      dmarc_enabled: c.dmarc_enabled.checked,
      dmarc_policy: c.dmarc_policy.value,
      spf_mode: c.spf_mode.value,
    };
    const email = c.dmarc_report_email.value.trim();
    if (email || !isNew) r.dmarc_report_email = email;
    if (c.spf_mode.value === 'FORCE_VALUE') r.spf_value = c.spf_value.value.trim();
    const mailFrom = c.mail_from_domain.value.trim();
    if (mailFrom) r.mail_from_domain = mailFrom;
    return r;
  };
  return { fields, read, controls: c };
}

/** Shows the API's error next to the field its message names, or at the form's end. */
function showFormError(form, e) {
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
  for (const f of form.querySelectorAll('.field.invalid')) f.classList.remove('invalid');
  form.querySelector('.form-error').textContent = '';
  const target = e.field && form.querySelector('[data-field="' + e.field + '"]');
  if (target && !target.hidden) {
    target.classList.add('invalid');
    target.querySelector('.field-error').textContent = e.message;
    const control = target.querySelector('input, select');
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  } else {
    form.querySelector('.form-error').textContent = e.message;
  }
}

// ---- add a domain ----

function addDomainPage() {
  const name = h('input', { type: 'text', required: true, spellcheck: 'false', autocapitalize: 'none', autocomplete: 'off', placeholder: 'example.com' });
  const settings = settingsFields({}, true);
  const updatePlaceholder = () => {
    settings.controls.mail_from_domain.placeholder = 'mail.' + (name.value.trim().toLowerCase().replace(/\.$/, '') || '<domain>');
  };
  name.addEventListener('input', updatePlaceholder);
  updatePlaceholder();
  const submit = h('button', { type: 'submit', class: 'primary', id: 'add-submit' }, 'Add domain');
  const form = h('form', { id: 'add-domain-form', class: 'card', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    submit.textContent = 'Adding…';
    try {
      const answer = await api.addDomain({ domain: name.value.trim(), ...settings.read() });
      location.hash = '#/domains/' + encodeURIComponent(answer.domain.id);
    } catch (e) {
      if (e.status === 401) { failed(e, main); return; }
      showFormError(form, e);
    } finally {
      submit.disabled = false;
      submit.textContent = 'Add domain';
    }
  } },
  field('domain', 'Domain', name, 'The domain (or subdomain) you send from, e.g. example.com or mail.example.com.'),
  h('fieldset', {}, h('legend', {}, 'Options'), settings.fields),
  h('p', { class: 'error form-error', role: 'alert' }),
  h('div', { class: 'actions' }, submit, h('a', { href: '#/', class: 'button' }, 'Cancel')));
  show('Add a domain', h('h1', {}, 'Add a domain'), form);
}

// ---- one domain ----

function domainPage(id, g) {
  const header = h('div', { id: 'domain-header' }, h('h1', {}, 'Domain'), h('p', { class: 'hint' }, 'Loading…'));
  const problems = h('div', { id: 'domain-errors', 'aria-live': 'polite' });
  const records = h('section', { id: 'records-section', 'aria-labelledby': 'records-title' });
  const publish = h('section', { id: 'publish-section', 'aria-labelledby': 'publish-title' });
  const ses = h('section', { id: 'ses-section', 'aria-labelledby': 'ses-title' });
  const tests = h('section', { id: 'tests-section', 'aria-labelledby': 'tests-title' });
  const more = h('section', { id: 'settings-section', 'aria-labelledby': 'settings-title' });
  show('Domain', h('p', {}, h('a', { href: '#/' }, '← All domains')), header, problems, records, publish, ses, tests, more);

  let timer = null;
  let domain = null;
  let testsBuilt = false;
  const load = async () => {
    clearTimeout(timer);
    if (!isCurrent(g)) return;
    const button = document.getElementById('check-again');
    if (button) { button.disabled = true; button.textContent = 'Checking…'; }
    try {
      domain = (await api.getDomain(id, true)).domain;
      if (!isCurrent(g)) return;
      fill(problems);
      render();
    } catch (e) {
      if (!isCurrent(g)) return;
      if (e.status === 404) { fill(header, h('h1', {}, 'Domain not found'), h('p', {}, 'It may have been removed. ', h('a', { href: '#/' }, 'Back to your domains'))); fill(records); return; }
      failed(e, problems);
    } finally {
      const again = document.getElementById('check-again');
      if (again) { again.disabled = false; again.textContent = 'Check again'; }
    }
    if (isCurrent(g) && domain && !isVerified(domain)) timer = setTimeout(load, POLL_DOMAIN_MS);
    const polling = document.getElementById('polling');
    if (polling && domain) {
      polling.textContent = isVerified(domain) ? 'Verified: no more automatic checks.'
        : 'Checking again every ' + POLL_DOMAIN_MS / 1000 + ' seconds until the domain is verified.';
    }
  };

  const render = () => {
    const focused = document.activeElement && document.activeElement.id;
    document.title = domain.domain + ' · Domainkeeper';
    const status = domainStatus(domain);
    const wasFocused = document.activeElement && header.contains(document.activeElement);
    fill(header, h('div', { class: 'title-row' }, h('h1', { tabindex: '-1' }, domain.domain),
      badge(status, { id: 'domain-status' })),
    h('p', { class: 'hint' }, 'Created ', when(domain.created_at), ' · region ', domain.region || '',
      ' · sending ', domain.send_enabled ? 'on' : 'off', ' · receiving ', domain.receive_enabled ? 'on' : 'off'));
    if (wasFocused) header.querySelector('h1').focus();
    renderRecords();
    renderSes();
    if (!testsBuilt) { testsBuilt = true; renderPublish(); renderTests(); renderMore(); }
    updateTests();
    if (focused) { const el = document.getElementById(focused); if (el && el !== document.activeElement) el.focus(); }
  };

  const renderRecords = () => {
    const validation = domain.dns_validation || {};
    const checks = validation.records || [];
    const rows = (domain.dns_records || []).map((r, i) => {
      const check = checks[i] && checks[i].record && checks[i].record.name === r.name && checks[i].record.type === r.type ? checks[i]
        : checks.find((c) => c.record && c.record.name === r.name && c.record.type === r.type && c.record.value === r.value);
      const info = meaning(DNS_CHECKS, check && check.status, 'Not checked');
      const found = check && check.status !== 'VALID' && check.found_values && check.found_values.length
        ? h('p', { class: 'found' }, 'Found: ', check.found_values.join(', ')) : null;
      return h('tr', { 'data-status': check ? check.status : '', 'data-type': r.type, 'data-name': r.name },
        h('td', { 'data-label': 'Type' }, r.type, h('div', { class: 'hint' }, PURPOSES[r.purpose] || r.purpose)),
        h('td', { 'data-label': 'Name' }, h('code', {}, r.name)),
        h('td', { 'data-label': 'Value' }, h('code', { class: 'value' }, r.value), ' ',
          h('button', { type: 'button', class: 'small', 'aria-label': 'Copy value of ' + r.type + ' ' + r.name, onclick: (ev) => copy(r.value, ev.currentTarget) }, 'Copy')),
        h('td', { 'data-label': 'Priority' }, r.type === 'MX' ? String(r.priority || 0) : '—'),
        h('td', { 'data-label': 'TTL' }, String(r.ttl || 1800)),
        h('td', { 'data-label': 'In DNS now' }, badge(info, { class: 'badge ' + info.tone + ' check' }),
          h('p', { class: 'hint' }, (check && check.message) || info.meaning), found));
    });
    const snippet = zoneSnippet(domain.domain, domain.dns_records || []);
    const warnings = validation.warnings || [];
    fill(records,
      h('div', { class: 'title-row' }, h('h2', { id: 'records-title' }, 'DNS records to publish'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', id: 'check-again', onclick: () => load() }, 'Check again'),
          h('button', { type: 'button', id: 'copy-zone', onclick: (ev) => copy(snippet, ev.currentTarget) }, 'Copy all as zone file'))),
      h('p', { class: 'hint' }, 'Publish these at your DNS host. ',
        validation.all_valid ? 'All required records are published.' : 'The DKIM records are required for SES to verify the domain.',
        validation.checked_at ? [' Last checked ', when(validation.checked_at), '.'] : ''),
      h('p', { id: 'polling', class: 'hint', 'aria-live': 'polite' }),
      warnings.length ? h('div', { class: 'warnings', id: 'warnings', role: 'note' }, h('h3', {}, 'Warnings'), h('ul', {}, warnings.map((w) => h('li', {}, w)))) : null,
      h('table', { id: 'records', class: 'stack' },
        h('caption', { class: 'offscreen' }, 'DNS records and what DNS says about each'),
        h('thead', {}, h('tr', {}, ['Type', 'Name', 'Value', 'Priority', 'TTL', 'In DNS now'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows)),
      h('details', { id: 'zone-details' }, h('summary', {}, 'Zone-file snippet (BIND syntax)'),
        h('pre', { id: 'zone-snippet', tabindex: '0' }, snippet)));
  };

  const renderSes = () => {
    fill(ses, h('h2', { id: 'ses-title' }, 'What SES says'),
      h('dl', { class: 'ses' }, SES_FIELDS.map(([key, title, about]) => {
        const v = meaning(SES_VALUES, domain[key]);
        return h('div', { 'data-ses': key },
          h('dt', {}, title, h('span', { class: 'hint' }, ' (' + key + ')')),
          h('dd', {}, badge(v), ' ', v.meaning, h('div', { class: 'hint' }, about)));
      })),
      h('p', {}, domain.can_send ? 'The domain can send email.' : 'The domain cannot send yet: it needs sending on and SES verification.'));
  };

  // Publishing to Route 53: what the provider check says, a dry-run preview, then the real apply.
  const renderPublish = async () => {
    const body = h('div', { id: 'publish-body', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Asking Route 53…'));
    fill(publish, h('h2', { id: 'publish-title' }, 'Publish to Route 53'), body);
    let provider;
    try {
      provider = await api.dnsProvider(id);
    } catch (e) { failed(e, body); return; }
    const notes = (provider.notes || []).map((n) => h('li', {}, n));
    if (!provider.has_access) {
      fill(body, h('p', { id: 'publish-off' }, 'Publishing to Route 53 is not available; publish the records above at your DNS host yourself.'),
        notes.length ? h('ul', { class: 'hint' }, notes) : null);
      return;
    }
    const zone = provider.route53 || {};
    const preview = h('div', { id: 'publish-preview' });
    const previewButton = h('button', { type: 'button', id: 'publish-preview-button', onclick: async () => {
      previewButton.disabled = true;
      try {
        showPlan(await api.applyRecords(id, true));
      } catch (e) { failed(e, preview); } finally { previewButton.disabled = false; }
    } }, 'Preview changes');
    const showPlan = (plan) => {
      const changes = plan.changes || [];
      const refused = plan.failed_records || [];
      const applyButton = h('button', { type: 'button', class: 'primary', id: 'publish-apply', disabled: changes.length === 0, onclick: async () => {
        applyButton.disabled = true;
        try {
          const result = await api.applyRecords(id, false);
          const state = result.dns_apply_state || {};
          fill(preview, h('p', { id: 'publish-result', role: 'status' }, 'Submitted to Route 53: ', h('strong', {}, state.status || ''),
            state.change_id ? [' (change ', h('code', {}, state.change_id), ')'] : '', '. The records above are checked again now.'));
          load();
        } catch (e) { applyButton.disabled = false; failed(e, preview); }
      } }, changes.length ? 'Publish ' + changes.length + (changes.length === 1 ? ' change' : ' changes') + ' to Route 53' : 'Nothing to publish');
      fill(preview,
        changes.length ? h('table', { id: 'publish-changes', class: 'stack' },
          h('caption', { class: 'offscreen' }, 'Changes that would be sent to Route 53'),
          h('thead', {}, h('tr', {}, ['Action', 'Type', 'Name', 'Value'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, changes.map((c) => h('tr', {},
            h('td', { 'data-label': 'Action' }, c.action), h('td', { 'data-label': 'Type' }, c.record.type),
            h('td', { 'data-label': 'Name' }, h('code', {}, c.record.name)),
            h('td', { 'data-label': 'Value' }, h('code', {}, (c.record.type === 'MX' ? (c.record.priority || 0) + ' ' : '') + c.record.value))))))
          : h('p', {}, 'Route 53 already has everything it can get.'),
        refused.length ? [h('h3', {}, 'Not published (left as they are)'), h('ul', { id: 'publish-refused' },
          refused.map((f) => h('li', {}, h('code', {}, f.record.type + ' ' + f.record.name), ': ', f.reason)))] : null,
        (plan.records_unchanged || []).length ? h('p', { class: 'hint' }, (plan.records_unchanged.length) + ' record(s) already right, not rewritten.') : null,
        h('div', { class: 'actions' }, applyButton));
    };
    fill(body,
      h('p', {}, 'Hosted zone ', h('code', {}, zone.name || '?'), zone.id ? [' (', zone.id, ')'] : '', '. ',
        provider.delegated ? 'The internet is delegated to it.' : 'Warning: the internet is not delegated to this zone, so what is published there is not seen.'),
      notes.length ? h('ul', { class: 'hint' }, notes) : null,
      h('p', { class: 'hint' }, 'Preview first: nothing changes until you publish. Existing records are merged, never clobbered.'),
      h('div', { class: 'actions' }, previewButton), preview);
  };

  // Test emails: built once (results stay while the page polls), enabled once the domain can send.
  const renderTests = () => {
    const results = h('ul', { id: 'test-results', class: 'results', 'aria-live': 'polite' });
    const testError = h('div', { id: 'test-error', 'aria-live': 'polite' });
    const send = async (request, button) => {
      fill(testError);
      button.disabled = true;
      try {
        return await api.sendTestEmail({ id, ...request });
      } catch (e) { failed(e, testError); return null; } finally { button.disabled = !domain.can_send; }
    };
    const simulators = SIMULATOR_TYPES.map(([type, label]) => h('button', {
      type: 'button', class: 'sim', 'data-test-type': type,
      onclick: async (ev) => {
        const answer = await send({ test_type: type }, ev.currentTarget);
        if (!answer) return;
        results.prepend(h('li', { 'data-test-type': type, class: 'result' },
          h('strong', {}, label), ' → ', h('code', { class: 'message-id' }, answer.message_id || ''),
          answer.note ? h('div', { class: 'hint' }, answer.note) : null));
      },
    }, label));
    const to = h('input', { type: 'email', required: true, autocomplete: 'email', placeholder: 'you@example.org' });
    const cls = select([['TRANSACTIONAL', 'Transactional (default)'], ['MARKETING', 'Marketing']], 'TRANSACTIONAL');
    const normalButton = h('button', { type: 'submit', id: 'normal-send' }, 'Send test email');
    const normal = h('form', { id: 'normal-form', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      for (const p of normal.querySelectorAll('.field-error')) p.textContent = '';
      let answer;
      normalButton.disabled = true;
      try {
        answer = await api.sendTestEmail({ id, test_type: 'NORMAL', to_email: to.value.trim(), message_class: cls.value });
      } catch (e) {
        normalButton.disabled = !domain.can_send;
        if (e.status === 401) { failed(e, testError); return; }
        const target = normal.querySelector('[data-field="' + e.field + '"] .field-error');
        (target || testError).replaceChildren(e.message);
        return;
      }
      normalButton.disabled = !domain.can_send;
      const line = h('li', { class: 'result submission', 'data-submission': answer.submission_id },
        h('strong', {}, 'To ', answer.to_email || to.value), ' · submission ', h('code', {}, answer.submission_id), ' · ',
        h('span', { class: 'submission-status', 'aria-live': 'polite' }, 'QUEUED'));
      results.prepend(line);
      follow(answer.submission_id, line);
    } },
    field('to_email', 'Send to', to), field('message_class', 'Message class', cls), normalButton);
    fill(tests, h('h2', { id: 'tests-title' }, 'Test emails'),
      h('p', { id: 'tests-note', class: 'hint' }),
      h('h3', {}, 'To the SES mailbox simulator'),
      h('p', { class: 'hint' }, 'Each answers at once with the SES message id; nothing reaches a real mailbox.'),
      h('div', { class: 'actions', role: 'group', 'aria-label': 'Simulator test emails' }, simulators),
      h('h3', {}, 'To an address'),
      normal, testError, results);
  };

  const follow = async (submissionId, line) => {
    const statusEl = line.querySelector('.submission-status');
    for (;;) {
      let s;
      try {
        s = (await api.getSubmission(submissionId)).submission;
      } catch (e) { statusEl.textContent = 'Could not read the status: ' + e.message; return; }
      const final = SUBMISSION_FINAL.includes(s.status);
      fill(statusEl, badge({ label: s.status, tone: s.status === 'SENT' ? 'ok' : s.status === 'FAILED' ? 'bad' : 'wait' }),
        s.message_id ? [' message id ', h('code', { class: 'message-id' }, s.message_id)] : '',
        s.error ? [' ', h('span', { class: 'error' }, s.error)] : '',
        !final && s.attempts ? ' (attempt ' + s.attempts + ')' : '');
      line.dataset.status = s.status;
      if (final || !document.body.contains(line)) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_SUBMISSION_MS));
    }
  };

  const updateTests = () => {
    const can = !!domain.can_send;
    for (const b of tests.querySelectorAll('button')) b.disabled = !can;
    document.getElementById('tests-note').textContent = can ? 'Send from test@' + domain.domain + '.'
      : 'You can send test emails once the domain is verified and sending is on.';
  };

  // Settings and removal.
  const renderMore = () => {
    const settings = settingsFields(domain, false);
    const saveButton = h('button', { type: 'submit', id: 'settings-save' }, 'Save settings');
    const saved = h('p', { class: 'hint', role: 'status' });
    const form = h('form', { id: 'settings-form', novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      saved.textContent = '';
      const wanted = settings.read();
      const changes = {};
      for (const [k, v] of Object.entries(wanted)) if ((domain[k] ?? '') !== v) changes[k] = v;
      if (Object.keys(changes).length === 0) { saved.textContent = 'Nothing changed.'; return; }
      saveButton.disabled = true;
      try {
        domain = (await api.updateDomain(id, changes)).domain;
        showFormError(form, { field: null, message: '' });
        saved.textContent = 'Saved. The records below show what to publish now.';
        await load();
      } catch (e) {
        if (e.status === 401) { failed(e, problems); return; }
        showFormError(form, e);
      } finally { saveButton.disabled = false; }
    } }, settings.fields, h('p', { class: 'error form-error', role: 'alert' }), h('div', { class: 'actions' }, saveButton), saved);

    const dialog = h('dialog', { id: 'remove-dialog', 'aria-labelledby': 'remove-title' });
    const removeError = h('div', { 'aria-live': 'polite' });
    dialog.append(h('form', { method: 'dialog' },
      h('h2', { id: 'remove-title' }, 'Remove ' + domain.domain + '?'),
      h('p', {}, 'This deletes ' + domain.domain + ' from Domainkeeper and its SES identity; mail sent from it through SES stops. DNS records you published stay until you delete them.'),
      removeError,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger', id: 'remove-confirm', onclick: async () => {
          try {
            await api.removeDomain(id);
            dialog.close();
            location.hash = '#/';
          } catch (e) { failed(e, removeError); }
        } }, 'Remove ' + domain.domain),
        h('button', { value: 'cancel', id: 'remove-cancel' }, 'Cancel'))));
    fill(more,
      h('h2', { id: 'settings-title' }, 'Settings'), form,
      h('h2', {}, 'Remove'),
      h('p', {}, h('button', { type: 'button', class: 'danger', id: 'remove-open', onclick: () => dialog.showModal() }, 'Remove this domain…')),
      dialog);
  };

  load();
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
route();
