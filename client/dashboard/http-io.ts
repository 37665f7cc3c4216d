// Reading a request body (capped) and writing JSON answers with the security headers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import { SECURITY_HEADERS } from './security.js';

/** The largest request body taken (a track with a big environment fits easily). */
export const MAX_BODY_BYTES = 1 << 20;

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="procd dashboard"';
  if (err.status === 405 && Array.isArray(err.data.allowed)) headers.Allow = err.data.allowed.join(', ');
  if (err.status === 413) headers.Connection = 'close';
  sendJson(res, err.status, err.body(), headers);
}

/** What a too large body may still send before its connection is cut (read and dropped, so the client gets its 413). */
const MAX_DISCARD_BYTES = 64 << 20;

/** The body as a JSON object: none (empty) gives null; more than maxBytes, bad JSON or a non-object is a clear 4xx. */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown> | null> {
  const text = await readBody(req, maxBytes);
  if (text.trim() === '') return null;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'UnsupportedMediaType', `send the body as JSON (Content-Type: application/json), not ${JSON.stringify(type.slice(0, 100)) || 'no type'}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'ParseError', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'InvalidParams', "the body must be a JSON object of the method's params", { field: 'body', expected: 'object' });
  return value as Record<string, unknown>;
}

/**
 * The body as text, at most maxBytes. A larger one is read to its end and dropped (a client that
 * is still sending would otherwise see a broken pipe instead of the 413), up to MAX_DISCARD_BYTES.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > MAX_DISCARD_BYTES) req.destroy();
    });
    req.on('end', () => (size > maxBytes ? reject(tooLarge(maxBytes)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
    req.on('close', () => reject(size > maxBytes ? tooLarge(maxBytes) : new HttpError(400, 'BadRequest', 'the request ended before its body')));
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'BodyTooLarge', `the request body is over ${maxBytes} bytes`, { maxBytes });
}
