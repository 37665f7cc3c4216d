// What one MCP tool is: a name, a description written for agents, an input schema (valibot, from
// the method table's params where the mapping is direct), and how it calls the daemon and words
// the answer. tools.ts lists them; register-tools.ts puts them on the server.

import type * as v from 'valibot';
import type { MethodName, ResultOf } from '../../shared/methods.js';
import type { MethodSchemas } from '../../shared/schemas/methods.js';
import type { CallParams, ProcdClient } from '../index.js';

/** A tool's answer: structured content (an object, as MCP requires) and a short text for the model. */
export interface ToolAnswer {
  structured: Record<string, unknown>;
  text: string;
}

/** Who is calling: the MCP client's name from its `initialize` (e.g. "claude-code"), when it gave one. */
export interface ToolCaller {
  clientName: string | null;
}

export interface ToolDef {
  name: string;
  title: string;
  /** Only reads the daemon's state: offered by `procd mcp --read-only`; the others change jobs. */
  observes: boolean;
  /** Calling it twice with the same arguments does no more than once (MCP's idempotentHint). */
  idempotent: boolean;
  description: string;
  input: v.GenericSchema;
  /** The structured answer's schema, where it is small enough to be worth an agent's context. */
  output?: v.GenericSchema;
  run(client: ProcdClient, args: unknown, caller: ToolCaller): Promise<ToolAnswer>;
}

interface ToolOptions<S extends v.GenericSchema> {
  name: string;
  title: string;
  observes: boolean;
  idempotent?: boolean;
  description: string;
  input: S;
  output?: v.GenericSchema;
  run(client: ProcdClient, args: v.InferOutput<S>, caller: ToolCaller): Promise<ToolAnswer>;
}

/** A tool whose arguments are typed by its input schema (valibot has checked them before `run`). */
export function defineTool<S extends v.GenericSchema>(options: ToolOptions<S>): ToolDef {
  return { idempotent: options.observes, ...options, run: (client, args, caller) => options.run(client, args as v.InferOutput<S>, caller) };
}

interface MethodToolOptions<M extends MethodName, S extends v.GenericSchema> {
  name: string;
  title: string;
  observes: boolean;
  idempotent?: boolean;
  description: string;
  /** Default: the method's params schema as the table has it. */
  input?: S;
  /** Default: the arguments as they are. */
  params?: (args: v.InferOutput<S>, caller: ToolCaller) => CallParams<M>;
  /** Default: the result itself (it must be an object; wrap an array, e.g. `{ jobs }`). */
  structured?: (result: ResultOf<M>, args: v.InferOutput<S>) => Record<string, unknown>;
  output?: v.GenericSchema;
  summary(result: ResultOf<M>, args: v.InferOutput<S>): string;
}

/** A tool that is one call of one method: the direct mapping from the method table. */
export function methodTool<M extends MethodName, S extends v.GenericSchema = MethodSchemas[M]['params']>(
  method: M,
  schemas: MethodSchemas,
  options: MethodToolOptions<M, S>,
): ToolDef {
  const input = (options.input ?? schemas[method].params) as S;
  return defineTool({
    ...options,
    input,
    async run(client, args, caller) {
      const params = options.params ? options.params(args, caller) : (args as CallParams<M>);
      const result = await client.call(method, params);
      const structured = options.structured ? options.structured(result, args) : (result as Record<string, unknown>);
      return { structured, text: options.summary(result, args) };
    },
  });
}
