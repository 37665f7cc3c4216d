// `procd/schemas`: the protocol's schemas (valibot, Standard Schema) for programs that validate
// what they send or receive, or derive JSON Schema from it (an MCP server, an OpenRPC document).

export { EVENT_SCHEMAS, EventJobSchema, ProcdEventSchema } from './events.js';
export { JobSchema, JobStateSchema, JobSummarySchema, JobViewSchema } from './job.js';
export { METHOD_SCHEMAS, type MethodSchemas } from './methods.js';
export { describe, parseAt, type Issue, type ParseResult } from './valid.js';
