// For REST route tests: call a route handler as one of a few API tokens, JSON in and out.
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

const BASE = "http://api.test/crm/exporter";

/** `tokens` is read at each call, so it may be filled in a beforeAll. */
export function restCaller<R extends string>(tokens: Record<R, string>) {
  return async function call(handler: Handler | ((req: Request) => Promise<Response>), method: string, p: string, who: R, opts: { body?: unknown; id?: string } = {}) {
    const headers: Record<string, string> = { Authorization: `Bearer ${tokens[who]}` };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await (handler as Handler)(new Request(`${BASE}/${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) }), { params: Promise.resolve({ id: opts.id ?? "" }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
  };
}
