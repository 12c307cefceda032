// DNS records as a BIND zone-file snippet: absolute names (trailing dot), one line per record, TXT
// values quoted and split into strings of at most 255 bytes.

function absolute(name) {
  return name.endsWith('.') ? name : name + '.';
}

/** Quotes one TXT value as one or more <character-string>s of at most 255 bytes each. */
export function txtStrings(value) {
  const bytes = new TextEncoder().encode(value);
  const parts = [];
  for (let i = 0; i < bytes.length || parts.length === 0; i += 255) {
    let s = '';
    for (const b of bytes.subarray(i, i + 255)) {
      if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b);
      else if (b < 0x20 || b > 0x7e) s += '\\' + String(b).padStart(3, '0');
      else s += String.fromCharCode(b);
    }
    parts.push('"' + s + '"');
  }
  return parts.join(' ');
}

/** Returns the record's data part: `10 host.` for MX, `host.` for CNAME, quoted strings for TXT. */
export function rdata(record) {
  switch (record.type) {
    case 'MX': return (record.priority || 0) + ' ' + absolute(record.value);
    case 'CNAME': return absolute(record.value);
    case 'TXT': return txtStrings(record.value);
    default: return record.value;
  }
}

/** Returns the zone-file lines for `records` (the API's dns_records), with a comment naming the domain. */
export function zoneSnippet(domainName, records) {
  const lines = ['; DNS records for ' + domainName + ' (from Domainkeeper)'];
  for (const r of records) {
    lines.push([absolute(r.name), r.ttl || 1800, 'IN', r.type, rdata(r)].join('\t'));
  }
  return lines.join('\n') + '\n';
}
