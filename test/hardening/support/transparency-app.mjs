// The client half of the transparency test, run as a child process with and
// without `--import @kvtrace/register`. For each case in CASES (JSON env) it
// calls the loopback "vault" at TARGET through node:http and through fetch,
// and prints what the app saw: status, headers, every body byte (base64),
// and the error for an aborted response. Nothing is interpreted here, so the
// two runs can be compared byte for byte.
import http from 'node:http';

const target = process.env.TARGET;
const cases = JSON.parse(process.env.CASES);

function viaHttp(c) {
  return new Promise((resolve) => {
    const chunks = [];
    const req = http.request(`${target}${c.path}`, { method: c.method, headers: { ...c.headers, 'x-case': `${c.id}/http` }, agent: false }, (res) => {
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.rawHeaders, body: Buffer.concat(chunks).toString('base64') }));
      res.on('error', (error) => resolve({ status: res.statusCode, error: `${error.name}:${error.code ?? ''}:${error.message}`, body: Buffer.concat(chunks).toString('base64') }));
      res.on('aborted', () => chunks.push(Buffer.from('<aborted>')));
    });
    req.on('error', (error) => resolve({ error: `${error.name}:${error.code ?? ''}:${error.message}`, body: Buffer.concat(chunks).toString('base64') }));
    req.end(c.body === undefined ? undefined : Buffer.from(c.body, 'base64'));
  });
}

async function viaFetch(c) {
  const chunks = [];
  let res;
  try {
    res = await fetch(`${target}${c.path}`, {
      method: c.method,
      headers: { ...c.headers, 'x-case': `${c.id}/fetch` },
      body: c.body === undefined ? undefined : Buffer.from(c.body, 'base64'),
    });
    for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
    return { status: res.status, headers: [...res.headers], body: Buffer.concat(chunks).toString('base64') };
  } catch (error) {
    const cause = error.cause ? `${error.cause.name}:${error.cause.code ?? ''}:${error.cause.message}` : '';
    return { status: res?.status, error: `${error.name}:${error.message}:${cause}`, body: Buffer.concat(chunks).toString('base64') };
  }
}

const seen = {};
for (const c of cases) {
  seen[`${c.id}/http`] = await viaHttp(c);
  seen[`${c.id}/fetch`] = await viaFetch(c);
}
process.stdout.write(`${JSON.stringify(seen)}\n`);
