// Countries: ISO 3166 alpha-2 codes (what flowlens stores), their English names, and the world
// outline for the map (world-atlas countries-110m, whose feature ids are ISO 3166 numeric).
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';

countries.registerLocale(en);

/** "DE" -> "Germany"; unknown codes come back unchanged. */
export function countryName(code) {
  return (code && countries.getName(String(code).toUpperCase(), 'en')) || String(code || '');
}

/** True for a two-letter code flowlens could have stored. */
export function isCountryCode(code) {
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code);
}

let geoJson = null;

/**
 * The world as GeoJSON for echarts.registerMap: every feature's properties.name is its alpha-2
 * code (features without an ISO id keep "~" + their atlas name, so they never match data).
 * Antarctica is left out. Computed once.
 */
export function worldGeoJson() {
  if (geoJson) return geoJson;
  const all = feature(world, world.objects.countries);
  const features = [];
  for (const f of all.features) {
    const alpha2 = f.id ? countries.numericToAlpha2(String(f.id)) : undefined;
    if (alpha2 === 'AQ') continue;
    features.push({ ...f, geometry: splitAtAntimeridian(f.geometry), properties: { name: alpha2 || `~${f.properties.name}` } });
  }
  geoJson = { type: 'FeatureCollection', features };
  return geoJson;
}

// ---- antimeridian ---------------------------------------------------------------------------
// world-atlas cuts nothing at ±180°: a ring that crosses the antimeridian (Russia's Chukotka,
// Wrangel Island, Fiji) jumps from 180 to -180 and back, and a flat map draws that jump as a
// band across the whole world. Such rings are unwrapped into continuous longitudes and clipped
// into one piece per side, each shifted back into [-180, 180].

/** A Polygon/MultiPolygon geometry with every antimeridian-crossing polygon split in two. */
export function splitAtAntimeridian(geometry) {
  if (!geometry) return geometry;
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : null;
  if (!polys || !polys.some((poly) => poly.some(crossesAntimeridian))) return geometry;
  const out = [];
  for (const poly of polys) {
    if (!poly.some(crossesAntimeridian)) { out.push(poly); continue; }
    const rings = poly.map(unwrapRing);
    // The middle piece stays; the pieces beyond ±180 move back by ∓360.
    const pieces = [
      { clip: (r) => clipX(clipX(r, 180, true), -180, false), shift: 0 },
      { clip: (r) => clipX(r, 180, false), shift: -360 },
      { clip: (r) => clipX(r, -180, true), shift: 360 },
    ];
    for (const { clip, shift } of pieces) {
      const [outer, ...holes] = rings.map(clip);
      if (!outer) continue;
      out.push([outer, ...holes.filter(Boolean)].map((r) => r.map(([x, y]) => [x + shift, y])));
    }
  }
  return out.length === 1 ? { type: 'Polygon', coordinates: out[0] } : { type: 'MultiPolygon', coordinates: out };
}

function crossesAntimeridian(ring) {
  for (let i = 1; i < ring.length; i += 1) if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) return true;
  return false;
}

/** Longitudes made continuous: a jump of more than 180° continues past ±180 instead. */
function unwrapRing(ring) {
  let offset = 0;
  return ring.map((p, i) => {
    if (i > 0) {
      const d = p[0] - ring[i - 1][0];
      if (d > 180) offset -= 360;
      else if (d < -180) offset += 360;
    }
    return [p[0] + offset, p[1]];
  });
}

/** Clips a closed ring to x <= c (keepLess) or x >= c; null when nothing (or a sliver) is left. */
function clipX(ring, c, keepLess) {
  if (!ring) return null;
  const inside = (p) => (keepLess ? p[0] <= c : p[0] >= c);
  const out = [];
  for (let i = 0; i < ring.length - 1; i += 1) {
    const a = ring[i];
    const b = ring[i + 1];
    if (inside(a)) out.push(a);
    if (inside(a) !== inside(b)) out.push([c, a[1] + ((c - a[0]) / (b[0] - a[0])) * (b[1] - a[1])]);
  }
  if (out.length < 3) return null;
  out.push(out[0]);
  return out;
}
