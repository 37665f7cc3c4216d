// Resources: the job list (procd://jobs), each job's status (procd://jobs/{id}/status, JSON) and
// its recent output (procd://jobs/{id}/logs, the logs tool's default budget, text). A client that
// subscribes is told when one changes (updates.ts) instead of reading it again and again.

import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, ResourceTemplate, type McpServer, type ReadResourceResult } from '@modelcontextprotocol/server';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isTerminal } from '../../shared/job.js';
import type { ProcdClient } from '../index.js';
import { jobBrief } from './brief.js';
import { logsAnswer, logsParams, logsText, readLogs } from './logs-tool.js';

export const JOBS_URI = 'procd://jobs';
export const statusUri = (id: number): string => `procd://jobs/${id}/status`;
export const logsUri = (id: number): string => `procd://jobs/${id}/logs`;
/** The job a job resource's URI names, or null. */
export function jobOfUri(uri: string): { id: number; what: 'status' | 'logs' } | null {
  const m = /^procd:\/\/jobs\/(\d{1,10})\/(status|logs)$/.exec(uri);
  return m ? { id: Number(m[1]), what: m[2] as 'status' | 'logs' } : null;
}

function idOf(variables: Record<string, string | string[]>): number {
  const raw = variables.id;
  const id = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `not a job id: ${String(raw)} (a job's id is a number; procd://jobs lists them)`, { id: String(raw) });
  return id;
}

/** A job the daemon does not know is a resource that does not exist (the SDK's resource-not-found error); other errors pass. */
async function orNotFound<T>(uri: URL, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ProcdError && err.code === ErrorCode.JobNotFound) throw new ResourceNotFoundError(uri.href, `${err.message} (procd://jobs lists the jobs)`);
    throw err;
  }
}

export function registerResources(server: McpServer, client: () => Promise<ProcdClient>): void {
  server.registerResource(
    'jobs',
    JOBS_URI,
    { title: 'procd jobs', description: 'The live jobs and the 10 most recently finished, one brief each (JSON).', mimeType: 'application/json' },
    async (uri): Promise<ReadResourceResult> => {
      const jobs = await (await client()).list({});
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ jobs: jobs.map(jobBrief) }, null, 1) }] };
    },
  );
  // Each listed job's two resources; finished jobs beyond the 10 most recent are read by id.
  const listed = (what: 'status' | 'logs') => async () => {
    const jobs = await (await client()).list({});
    return {
      resources: jobs.map((j) => ({
        uri: what === 'status' ? statusUri(j.id) : logsUri(j.id),
        name: `${j.name} (job ${j.id}) ${what}`,
        mimeType: what === 'status' ? 'application/json' : 'text/plain',
        description: `${isTerminal(j.state) ? 'ended' : j.state.kind}`,
      })),
    };
  };
  server.registerResource(
    'job-status',
    new ResourceTemplate('procd://jobs/{id}/status', { list: listed('status') }),
    { title: 'Job status', description: "A job's full record as procd status gives it (JSON): state, exit, resources, flags, probes, runs.", mimeType: 'application/json' },
    async (uri, variables): Promise<ReadResourceResult> => {
      const id = idOf(variables);
      const job = await orNotFound(uri, async () => (await client()).status({ job: id }));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(job, null, 1) }] };
    },
  );
  server.registerResource(
    'job-logs',
    new ResourceTemplate('procd://jobs/{id}/logs', { list: listed('logs') }),
    { title: 'Job output', description: "A job's last 100 lines of output (identical lines counted once, at most 16 KiB); the logs tool reads more.", mimeType: 'text/plain' },
    async (uri, variables): Promise<ReadResourceResult> => {
      const args = { job: idOf(variables) };
      const read = await orNotFound(uri, async () => readLogs(await client(), logsParams(args)));
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: logsText(logsAnswer(read, args), args) }] };
    },
  );
}
