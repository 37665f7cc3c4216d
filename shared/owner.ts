// Who started a job: the owner an agent (or a person) later finds, lists, kills and cleans up
// its jobs by (`--owner NAME`). Nothing checks it: the socket is the user's own, so the owner is
// a label the client gives, not a credential (Node has no peer-credential API for Unix sockets).

/** The owner of a job, as recorded when it was started (or adopted). */
export interface JobOwner {
  /** `track --owner NAME`, else PROCD_OWNER in the CLI's environment, else the client's name from `hello` (without its `/VERSION`). */
  name: string;
  /** The pid of the client that started it, as the client said in `hello`; null: not told. */
  pid: number | null;
  /** The name of that client's parent process (the shell, the agent), as the client said in `hello`; null: not told. */
  parentName: string | null;
}

/** What the connection's client said of itself in `hello`. */
export interface ClientSaid {
  name: string | null;
  pid: number | null;
  parentName: string | null;
}

/** The environment variable the client library (so the CLI too) reads the owner from when none is given. */
export const OWNER_ENV = 'PROCD_OWNER';
/** An owner name: 1–200 printable characters (the protocol's schema and the client's check of PROCD_OWNER). */
export const OWNER_NAME_MAX = 200;
export const OWNER_NAME_PATTERN = /^[^\u0000-\u001f\u007f]+$/;

/** What is wrong with an owner name, or null. */
export function ownerProblem(name: string): string | null {
  if (name.length > OWNER_NAME_MAX) return `is ${name.length} characters long (at most ${OWNER_NAME_MAX})`;
  if (!OWNER_NAME_PATTERN.test(name)) return 'contains a control character';
  return null;
}

/** `procd-cli/0.4.1` → `procd-cli`: the owner is the program, not its version. */
export function clientOwnerName(client: string): string {
  const slash = client.lastIndexOf('/');
  const bare = slash > 0 && /^v?\d/.test(client.slice(slash + 1)) ? client.slice(0, slash) : client;
  return bare.trim();
}

/**
 * The owner of a job a client starts: the name it asked for, else its name from `hello`; its pid
 * and parent from `hello`. Null when nothing names it (a raw client that sent no `hello`).
 */
export function ownerOf(asked: string | undefined, client: ClientSaid): JobOwner | null {
  const fromHello = client.name === null ? '' : clientOwnerName(client.name);
  const name = asked ?? (fromHello === '' ? null : fromHello);
  if (name === null) return null;
  return { name, pid: client.pid, parentName: client.parentName };
}

/**
 * The owner name a client sends: the one given (`--owner NAME`), else PROCD_OWNER when set and not
 * empty. A PROCD_OWNER that is no owner name throws (`problem` says why), so the error names the
 * variable the user set rather than a parameter they never passed.
 */
export function askedOwner(given: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof given === 'string') return given;
  const fromEnv = env[OWNER_ENV]?.trim();
  if (!fromEnv) return undefined;
  const problem = ownerProblem(fromEnv);
  if (problem) throw new OwnerEnvError(`${OWNER_ENV} in the environment ${problem}: set it to an owner name of 1-${OWNER_NAME_MAX} printable characters, or unset it`);
  return fromEnv;
}

export class OwnerEnvError extends Error {}
