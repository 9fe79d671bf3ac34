// A small HTTP proxy that injects the faults a blob reader meets on real networks, for
// tests/blob/run.sh: node fault_proxy.mjs TARGET_PORT FAULTS
//
// FAULTS is a comma-separated schedule applied to the requests in arrival order, then every
// later request is forwarded untouched:
//   503r   answer 503 ServerBusy with Retry-After: 1
//   500    answer 500 InternalError
//   drop   close the connection without answering
//   slowN  forward after N milliseconds
// "always500" answers 500 to every request. The proxy listens on 127.0.0.1, prints
// "listening PORT" on stdout, and logs one line per request ("N fault|forward METHOD PATH",
// the query string cut off: it may hold a SAS signature) on stderr.
import http from 'node:http';

const [targetPort, schedule = ''] = process.argv.slice(2);
const faults = schedule === 'always500' ? [] : schedule.split(',').filter(Boolean);
let seen = 0;

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
  const fault = schedule === 'always500' ? '500' : faults[seen - 1];
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
  } else if (fault && fault.startsWith('slow')) {
    setTimeout(() => forward(req, res), Number(fault.slice(4)));
  } else {
    forward(req, res);
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
