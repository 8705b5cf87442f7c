// A stand-in for AWS Lambda in the Node suite: it serves the Lambda Invoke
// API (POST /2015-03-31/functions/<name>/invocations, as Cognate's AWS SDK
// Lambda client sends it) on a loopback port and runs aws-lambda-style
// handlers, `async (event) => event`, in this process. An Event invocation
// (X-Amz-Invocation-Type: Event, as the custom sender triggers are
// invoked) is answered 202 at once and run afterwards. A handler that
// throws answers with X-Amz-Function-Error and the runtime's error payload.
import http from 'node:http';

/** The function name of an ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) or a name. */
function functionName(s) {
  const parts = decodeURIComponent(s).split(':');
  return parts.length >= 7 && parts[0] === 'arn' && parts[5] === 'function' ? parts[6] : parts.join(':');
}

/** The ARN Cognate is given for a function of the runner. */
export function functionArn(name) {
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

/**
 * Starts an Invoke API runner. Resolves with { url, handle(name, handler),
 * events(name), close() }; events(name) lists the events a function has
 * received, oldest first.
 */
export async function startLambda() {
  const handlers = new Map();
  const events = new Map();
  const record = (name, ev) => {
    if (!events.has(name)) events.set(name, []);
    events.get(name).push(structuredClone(ev));
  };
  const server = http.createServer((req, res) => {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url.split('?')[0]);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const reply = (status, headers, body) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(body);
      };
      if (req.method !== 'POST' || !m) {
        reply(404, { 'X-Amzn-ErrorType': 'ResourceNotFoundException' }, JSON.stringify({ Type: 'User', message: `no route ${req.url}` }));
        return;
      }
      const name = functionName(m[1]);
      const handler = handlers.get(name);
      if (!handler) {
        reply(404, { 'X-Amzn-ErrorType': 'ResourceNotFoundException' }, JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
        return;
      }
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(400, { 'X-Amzn-ErrorType': 'InvalidRequestContentException' }, JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
        return;
      }
      record(name, event);
      if (req.headers['x-amz-invocation-type'] === 'Event') {
        reply(202, {}, '');
        Promise.resolve().then(() => handler(event)).catch(() => {});
        return;
      }
      try {
        const out = await handler(event);
        reply(200, {}, JSON.stringify(out ?? null));
      } catch (err) {
        reply(200, { 'X-Amz-Function-Error': 'Unhandled' }, JSON.stringify({ errorType: err.name || 'Error', errorMessage: err.message }));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    handle: (name, handler) => handlers.set(name, handler),
    events: (name) => events.get(name) ?? [],
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
