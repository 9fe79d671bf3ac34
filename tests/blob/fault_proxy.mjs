// A small HTTP proxy that injects the faults a blob reader meets on real networks, for
// tests/blob/run.sh: node fault_proxy.mjs TARGET_PORT FAULTS
//
// FAULTS is a comma-separated schedule applied to the requests in arrival order, then every
// later request is forwarded untouched:
//   503r   answer 503 ServerBusy with Retry-After: 1
//   500    answer 500 InternalError
//   drop   close the connection without answering
//   slowN  forward after N milliseconds
//   cut    forward, but close the connection halfway through the answer's body
// "always500" answers 500 to every request. "random:RATE:SEED:SKIP" forwards the first SKIP
// requests, then gives each later one a fault with probability RATE, picked from 503r, 500,
// drop, cut and slow300 by a PRNG seeded with SEED (the same run faults the same requests).
// The proxy listens on 127.0.0.1, prints
// "listening PORT" on stdout, and logs one line per request ("N fault|forward METHOD PATH",
// the query string cut off: it may hold a SAS signature) on stderr.
import http from 'node:http';

const [targetPort, schedule = ''] = process.argv.slice(2);
const random = schedule.startsWith('random:') ? schedule.split(':').slice(1).map(Number) : null;
const faults = schedule === 'always500' || random ? [] : schedule.split(',').filter(Boolean);
let seen = 0;

// mulberry32: a small seeded PRNG, uniform in [0, 1).
let prngState = random ? random[1] >>> 0 : 0;
function nextRandom() {
  prngState = (prngState + 0x6d2b79f5) >>> 0;
  let t = prngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randomKinds = ['503r', '500', 'drop', 'cut', 'slow300'];
function faultFor(n) {
  if (schedule === 'always500') return '500';
  if (!random) return faults[n - 1];
  const [rate, , skip] = random;
  if (n <= skip) return undefined;
  const roll = nextRandom();
  const kind = randomKinds[Math.floor(nextRandom() * randomKinds.length)];
  return roll < rate ? kind : undefined;
}

// Forwards the answer's headers and half its body, then closes the connection.
function forwardCut(req, res) {
  const upstream = http.request({ host: '127.0.0.1', port: Number(targetPort), method: req.method,
    path: req.url, headers: req.headers }, (up) => {
    const chunks = [];
    up.on('data', (c) => chunks.push(c));
    up.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length < 2) { res.writeHead(up.statusCode, up.headers); res.end(body); return; }
      res.writeHead(up.statusCode, up.headers);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
    });
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

function errorBody(code, message) {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function forward(req, res) {
  const upstream = http.request({ host: '127.0.0.1', port: Number(targetPort), method: req.method,
    path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

const server = http.createServer((req, res) => {
  seen += 1;
  const fault = faultFor(seen);
  const path = req.url.split('?')[0];
  process.stderr.write(`${seen} ${fault || 'forward'} ${req.method} ${path}\n`);
  if (fault === '503r') {
    res.writeHead(503, { 'Retry-After': '1', 'x-ms-error-code': 'ServerBusy', 'Content-Type': 'application/xml' });
    res.end(errorBody('ServerBusy', 'The server is busy.'));
  } else if (fault === '500') {
    res.writeHead(500, { 'x-ms-error-code': 'InternalError', 'Content-Type': 'application/xml' });
    res.end(errorBody('InternalError', 'The server encountered an internal error.'));
  } else if (fault === 'drop') {
    req.socket.destroy();
  } else if (fault === 'cut') {
    forwardCut(req, res);
  } else if (fault && fault.startsWith('slow')) {
    setTimeout(() => forward(req, res), Number(fault.slice(4)));
  } else {
    forward(req, res);
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
