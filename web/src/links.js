// Which cells link elsewhere: IP addresses to the IP detail view (#/ip/<ip>), country codes to
// the map (#/geo?country=CC). Links keep the current filters (the `filterQuery` passed in).
import { buildHash } from './router.js';
import { isCountryCode } from './countries.js';

const IP_COLUMNS = /^(Ip|IP|Host1|Host2|Peer|DestIp|SrcIp|Address|.*Ip)$/;

/** True when value looks like an IPv4 or IPv6 address. */
export function looksLikeIp(value) {
  if (typeof value !== 'string') return false;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || (/^[0-9a-fA-F:.]+$/.test(value) && value.includes(':'));
}

/** The hash a cell links to, or null. */
export function cellLink(column, value, filterQuery) {
  if (IP_COLUMNS.test(column) && looksLikeIp(value)) return buildHash('ip', value, filterQuery);
  if (/Country$/.test(column) && isCountryCode(value)) {
    const q = new URLSearchParams(filterQuery || '');
    q.set('country', value);
    return buildHash('geo', null, q);
  }
  return null;
}
