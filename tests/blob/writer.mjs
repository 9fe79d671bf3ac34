// The test-side writer for tests/blob/run.sh: creates containers and writes flow-log blobs the
// way Azure does (blob-rest.md §8.4: Put Block for the head `{"records":[`, each record and the
// tail `]}`, then Put Block List; growth inserts a new data block before the tail), deletes
// blobs, and mints account SAS tokens (§2.10). Node's built-in crypto and http only; the
// SharedKey signing here is written independently of the C++ client under test.
//
// Environment: BLOB_ENDPOINT (http://127.0.0.1:PORT/devstoreaccount1), BLOB_ACCOUNT, BLOB_KEY.
//   node writer.mjs container NAME
//   node writer.mjs flowlog CONTAINER BLOB RECORDS     a new blob with RECORDS data blocks
//   node writer.mjs grow CONTAINER BLOB                one more record before the tail
//   node writer.mjs upload CONTAINER BLOB FILE MIRROR [COUNT]   a real flow log, record blocks
//   node writer.mjs extend CONTAINER BLOB FILE MIRROR [UPTO]    more of its records (all by default)
//   node writer.mjs feed CONTAINER SRC MIRROR ROUNDS PAUSE_MS [FIRST_HOUR [END_HOUR]]
//                                                      generated flow logs, growing hour by hour
//   node writer.mjs reblock CONTAINER BLOB             the same bytes under new block IDs
//   node writer.mjs many CONTAINER COUNT               COUNT one-record blobs (Put Blob)
//   node writer.mjs put CONTAINER BLOB FILE MIRROR [COUNT]      FILE's records in one Put Blob
//   node writer.mjs delete CONTAINER BLOB
//   node writer.mjs sas PERMISSIONS RESOURCE_TYPES     an account SAS for the blob service
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const endpoint = new URL(process.env.BLOB_ENDPOINT);
const account = process.env.BLOB_ACCOUNT;
const key = Buffer.from(process.env.BLOB_KEY, 'base64');
const version = '2021-08-06';

// Percent-encoding of a blob name for the path: all but unreserved characters and '/'.
const encodePath = (name) =>
  Buffer.from(name, 'utf8').reduce((out, byte) => {
    const c = String.fromCharCode(byte);
    return out + (/[A-Za-z0-9\-._~\/]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0'));
  }, '');

function sign(method, path, query, headers) {
  const h = (name) => headers[name] ?? '';
  const standard = ['content-encoding', 'content-language', 'content-length', 'content-md5', 'content-type',
    'date', 'if-modified-since', 'if-match', 'if-none-match', 'if-unmodified-since', 'range']
    .map((name) => (name === 'content-length' && h(name) === '0' ? '' : h(name)));
  const ms = Object.keys(headers).filter((n) => n.startsWith('x-ms-')).sort().map((n) => `${n}:${headers[n]}\n`);
  let resource = `/${account}${path}`;
  for (const [n, v] of [...query].sort(([a], [b]) => (a < b ? -1 : 1))) resource += `\n${n}:${v}`;
  const text = [method, ...standard].join('\n') + '\n' + ms.join('') + resource;
  return crypto.createHmac('sha256', key).update(text, 'utf8').digest('base64');
}

function request(method, container, blob, query, body = '', extraHeaders = {}) {
  const path = endpoint.pathname.replace(/\/$/, '') + '/' + container + (blob ? '/' + encodePath(blob) : '');
  const data = Buffer.from(body, 'utf8');
  const headers = {
    'x-ms-date': new Date().toUTCString(),
    'x-ms-version': version,
    'content-length': String(data.length),
    ...extraHeaders,
  };
  headers.authorization = `SharedKey ${account}:${sign(method, path, query, headers)}`;
  const search = query.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: endpoint.hostname, port: endpoint.port, method,
      path: path + (search ? '?' + search : ''), headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`${method} ${container}/${blob}: ${res.statusCode} ${text}`));
        else resolve({ status: res.statusCode, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Block IDs of one blob all have the same length: 9 bytes before base64.
const blockId = (kind, n) => Buffer.from(`${kind}-${String(n).padStart(4, '0')}`).toString('base64');
const record = (n) => `${n === 1 ? '' : ','}{"time":"2025-03-14T09:${String(n).padStart(2, '0')}:00.0000000Z","n":${n}}`;

async function putBlock(container, blob, id, text) {
  await request('PUT', container, blob, [['comp', 'block'], ['blockid', id]], text);
}
async function commit(container, blob, ids) {
  const xml = '<?xml version="1.0" encoding="utf-8"?><BlockList>' +
    ids.map((id) => `<Latest>${id}</Latest>`).join('') + '</BlockList>';
  return request('PUT', container, blob, [['comp', 'blocklist']], xml);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'container') {
  await request('PUT', args[0], '', [['restype', 'container']]);
} else if (command === 'flowlog') {
  const [container, blob, count] = [args[0], args[1], Number(args[2])];
  await putBlock(container, blob, blockId('HEAD', 0), '{"records":[');
  const ids = [blockId('HEAD', 0)];
  for (let n = 1; n <= count; n++) {
    await putBlock(container, blob, blockId('DATA', n), record(n));
    ids.push(blockId('DATA', n));
  }
  await putBlock(container, blob, blockId('TAIL', 0), ']}');
  await commit(container, blob, [...ids, blockId('TAIL', 0)]);
} else if (command === 'grow') {
  const [container, blob] = args;
  const list = await request('GET', container, blob, [['comp', 'blocklist'], ['blocklisttype', 'committed']]);
  const ids = [...list.body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
  const n = ids.length - 1;  // head + (n - 1) data blocks + tail: the next record is n
  await putBlock(container, blob, blockId('DATA', n), record(n));
  await commit(container, blob, [...ids.slice(0, -1), blockId('DATA', n), ids[ids.length - 1]]);
  process.stdout.write(record(n) + '\n');
} else if (command === 'upload' || command === 'extend') {
  // upload CONTAINER BLOB FILE MIRROR [COUNT]: a blob of FILE's first COUNT records (all by
  // default), one block per record as Azure writes them; the exact bytes uploaded are written
  // to MIRROR too. extend CONTAINER BLOB FILE MIRROR [UPTO]: the records not uploaded yet (up
  // to record UPTO), inserted before the tail, and MIRROR rewritten to the new content.
  const [container, blob, file, mirror, countText] = args;
  const records = JSON.parse(fs.readFileSync(file, 'utf8')).records.map((r) => JSON.stringify(r));
  const text = (i) => (i === 0 ? '' : ',') + records[i];
  let ids = [];
  let have = 0;
  if (command === 'extend') {
    const list = await request('GET', container, blob, [['comp', 'blocklist'], ['blocklisttype', 'committed']]);
    ids = [...list.body.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]).slice(0, -1);
    have = ids.length - 1;
  } else {
    await putBlock(container, blob, blockId('HEAD', 0), '{"records":[');
    ids = [blockId('HEAD', 0)];
  }
  const upto = countText ? Number(countText) : records.length;
  for (let i = have; i < upto; i++) {
    await putBlock(container, blob, blockId('DATA', i + 1), text(i));
    ids.push(blockId('DATA', i + 1));
  }
  await putBlock(container, blob, blockId('TAIL', 0), ']}');
  await commit(container, blob, [...ids, blockId('TAIL', 0)]);
  fs.mkdirSync(path.dirname(mirror), { recursive: true });
  fs.writeFileSync(mirror, '{"records":[' + records.slice(0, upto).map((_, i) => text(i)).join('') + ']}');
} else if (command === 'feed') {
  // feed CONTAINER SRC MIRROR ROUNDS PAUSE_MS [FIRST_HOUR [END_HOUR]]: the flow logs under SRC
  // (a generated container folder) uploaded as Azure writes them over time: hour by hour, each
  // hour's blobs grown in ROUNDS commits of about equal numbers of records (one block per
  // record, inserted before the tail), PAUSE_MS between rounds. Hours are counted from 0 in
  // time order; [FIRST_HOUR, END_HOUR) selects some. MIRROR gets the committed bytes of each
  // blob after every commit. Prints "round EPOCH_MS HOUR ROUND BLOBS" after each round, so a
  // test can time when data became available.
  const [container, src, mirror, roundsText, pauseText, firstText = '0', endText = '100000'] = args;
  const rounds = Number(roundsText);
  const pause = Number(pauseText);
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === 'PT1H.json' ? [path.join(dir, e.name)] : []);
  const byHour = new Map();
  for (const file of walk(src)) {
    const name = path.relative(src, file).split(path.sep).join('/');
    const hour = name.match(/y=\d{4}\/m=\d{2}\/d=\d{2}\/h=\d{2}/)[0];
    if (!byHour.has(hour)) byHour.set(hour, []);
    byHour.get(hour).push(name);
  }
  const hours = [...byHour.keys()].sort().slice(Number(firstText), Number(endText));
  for (const [index, hour] of hours.entries()) {
    const blobs = byHour.get(hour).sort().map((name) => ({
      name, ids: [blockId('HEAD', 0)], have: 0,
      records: JSON.parse(fs.readFileSync(path.join(src, name), 'utf8')).records.map((r) => JSON.stringify(r)),
    }));
    for (let round = 1; round <= rounds; round++) {
      await Promise.all(blobs.map(async (b) => {
        const text = (i) => (i === 0 ? '' : ',') + b.records[i];
        if (round === 1) await putBlock(container, b.name, blockId('HEAD', 0), '{"records":[');
        const upto = Math.ceil((b.records.length * round) / rounds);
        for (let i = b.have; i < upto; i++) {
          await putBlock(container, b.name, blockId('DATA', i + 1), text(i));
          b.ids.push(blockId('DATA', i + 1));
        }
        b.have = upto;
        await putBlock(container, b.name, blockId('TAIL', 0), ']}');
        await commit(container, b.name, [...b.ids, blockId('TAIL', 0)]);
        const out = path.join(mirror, container, b.name);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, '{"records":[' + b.records.slice(0, upto).map((_, i) => text(i)).join('') + ']}');
      }));
      process.stdout.write(`round ${Date.now()} ${Number(firstText) + index} ${round} ${blobs.length}\n`);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
} else if (command === 'put') {
  // put CONTAINER BLOB FILE MIRROR [COUNT]: FILE's first COUNT records (all by default) in one
  // Put Blob, as a copy tool would upload a file: the blob has no committed blocks.
  const [container, blob, file, mirror, countText] = args;
  const records = JSON.parse(fs.readFileSync(file, 'utf8')).records.map((r) => JSON.stringify(r));
  const upto = countText ? Number(countText) : records.length;
  const text = '{"records":[' + records.slice(0, upto).join(',') + ']}';
  await request('PUT', container, blob, [], text, { 'x-ms-blob-type': 'BlockBlob' });
  fs.mkdirSync(path.dirname(mirror), { recursive: true });
  fs.writeFileSync(mirror, text);
} else if (command === 'many') {
  // many CONTAINER COUNT: COUNT small flow-log blobs (one record each, Put Blob in one request,
  // 16 at a time) under distinct hours and MACs, for measuring listings of thousands of blobs.
  const [container, countText] = args;
  const count = Number(countText);
  const body = '{"records":[{"time":"2026-11-01T00:00:00.0000000Z","flowLogVersion":4,"flowLogGUID":"00000000-0000-0000-0000-000000000001","macAddress":"00224800AA01","category":"FlowLogFlowEvent","flowLogResourceID":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS/FLOWLOGS/MANY","targetResourceID":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKS/VNET","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"00000000-0000-0000-0000-000000000002","flowGroups":[{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":["1761955200000,10.0.0.4,20.60.1.2,50000,443,6,O,B,NX,0,0,0,0"]}]}]}}]}';
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const hour = new Date(Date.UTC(2026, 10, 1) + Math.floor(i / 1000) * 3600 * 1000);
      const p2 = (n) => String(n).padStart(2, '0');
      const name = `flowLogResourceID=/00000000-0000-0000-0000-000000000000_NETWORKWATCHERRG/NETWORKWATCHER_EASTUS_MANY/` +
        `y=${hour.getUTCFullYear()}/m=${p2(hour.getUTCMonth() + 1)}/d=${p2(hour.getUTCDate())}/h=${p2(hour.getUTCHours())}/m=00/` +
        `macAddress=${String(i % 1000).padStart(12, '0')}/PT1H.json`;
      await request('PUT', container, name, [], body, { 'x-ms-blob-type': 'BlockBlob' });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
} else if (command === 'reblock') {
  // reblock CONTAINER BLOB: the same bytes committed again under new block IDs (one block for
  // the whole content), as a writer that rewrites a blob would: the ETag and the block list
  // change, the bytes do not.
  const [container, blob] = args;
  const res = await request('GET', container, blob, []);
  await putBlock(container, blob, blockId('REWR', 0), res.body);
  await commit(container, blob, [blockId('REWR', 0)]);
} else if (command === 'delete') {
  await request('DELETE', args[0], args[1], []);
} else if (command === 'sas') {
  const [permissions, resourceTypes] = args;
  const expiry = new Date(Date.now() + 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  // sv >= 2020-12-06: account, sp, ss, srt, st, se, sip, spr, sv, ses, each followed by '\n'.
  const fields = [account, permissions, 'b', resourceTypes, '', expiry, '', 'https,http', version, ''];
  const sig = crypto.createHmac('sha256', key).update(fields.join('\n') + '\n', 'utf8').digest('base64');
  const token = [['sv', version], ['ss', 'b'], ['srt', resourceTypes], ['sp', permissions], ['se', expiry],
    ['spr', 'https,http'], ['sig', sig]].map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&');
  process.stdout.write(token + '\n');
} else {
  console.error('usage: node writer.mjs container|flowlog|grow|upload|extend|feed|reblock|delete|sas ...');
  process.exit(2);
}
