// The one place that talks HTTP to Dataverse: headers, token refresh on 401, waiting out 429
// (Retry-After, jittered, capped, within a budget), exponential backoff for 5xx and network
// errors, and turning failures into the typed errors of errors.ts.
import { parseJsonExact } from "./exact-json.ts";
import type { TokenProvider } from "./auth.ts";
import {
  AuthenticationError, ChangeTrackingNotEnabledError, CODES, DataverseError, DataverseUnavailableError,
  DeltaTokenExpiredError, InvalidUrlError, NotFoundError, ThrottledError,
} from "./errors.ts";
import { sleep } from "../sleep.ts";

export interface RetryOptions {
  /** Retries of 5xx / network failures (default 5). */
  maxRetries?: number;
  /** Longest single wait on a 429, whatever Retry-After says (default 60 s). */
  maxRetryAfterSeconds?: number;
  /** Total time one request may spend waiting on 429s before ThrottledError (default 600 s). */
  maxThrottleWaitSeconds?: number;
  /** First backoff delay for 5xx / network errors (default 1000 ms), doubled each retry. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-attempt timeout (default 120 s). */
  timeoutMs?: number;
  /** Injectable for tests: no real sleeping. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface HttpOptions extends RetryOptions {
  environmentUrl: string;
  tokens: TokenProvider;
  fetch?: typeof fetch;
}

export interface RequestInit2 {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  /** Table the request is about, for error messages (change-tracking codes). */
  table?: string;
}

export const API_PATH = "/api/data/v9.2/";

/** Validates and normalises an environment URL to its origin. */
export function normaliseEnvironmentUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new InvalidUrlError(`'${raw}' is not a valid environment URL. Use the environment's URL, e.g. https://contoso.crm.dynamics.com (Power Platform admin center → Environments → Environment URL).`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new InvalidUrlError(`'${raw}' is not an http(s) URL. Use the environment's URL, e.g. https://contoso.crm.dynamics.com.`);
  }
  return u.origin;
}

interface ServiceError { code: string; message: string }

function parseError(text: string): ServiceError | null {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return e ? { code: String(e.code ?? ""), message: String(e.message ?? "") } : null;
  } catch {
    return null;
  }
}

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; name?: string } })?.cause;
  return cause?.code ?? cause?.name ?? (err as { name?: string })?.name ?? "NetworkError";
}

export class HttpClient {
  readonly origin: string;
  readonly apiBase: string;
  private readonly fetchFn: typeof fetch;
  private readonly o: Required<RetryOptions>;

  constructor(private readonly opts: HttpOptions) {
    this.origin = normaliseEnvironmentUrl(opts.environmentUrl);
    this.apiBase = this.origin + API_PATH;
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.o = {
      maxRetries: opts.maxRetries ?? 5,
      maxRetryAfterSeconds: opts.maxRetryAfterSeconds ?? 60,
      maxThrottleWaitSeconds: opts.maxThrottleWaitSeconds ?? 600,
      baseDelayMs: opts.baseDelayMs ?? 1000,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      timeoutMs: opts.timeoutMs ?? 120_000,
      sleep: opts.sleep ?? sleep,
      random: opts.random ?? Math.random,
    };
  }

  /** Absolute URL for a path under the API root; absolute links must stay on the environment's host. */
  resolve(pathOrUrl: string): string {
    if (!/^https?:\/\//i.test(pathOrUrl)) return this.apiBase + pathOrUrl.replace(/^\//, "");
    const u = new URL(pathOrUrl);
    if (u.origin !== this.origin) {
      throw new InvalidUrlError(`The link '${pathOrUrl}' points to ${u.origin}, not to the environment ${this.origin}; the access token is only sent to the environment. Re-run the export from the start if the environment URL changed.`);
    }
    return pathOrUrl;
  }

  async json<T>(pathOrUrl: string, init: RequestInit2 = {}): Promise<T> {
    const { text, url } = await this.send(pathOrUrl, init);
    try {
      return parseJsonExact<T>(text);
    } catch (err) {
      throw new InvalidUrlError(`${url} did not answer with JSON: is ${this.origin} a Dataverse environment URL? (it should look like https://contoso.crm.dynamics.com)`, { cause: err });
    }
  }

  /** Sends with retries; returns the body text of a 2xx response, throws typed errors otherwise. */
  async send(pathOrUrl: string, init: RequestInit2 = {}): Promise<{ status: number; text: string; url: string; headers: Headers }> {
    const url = this.resolve(pathOrUrl);
    let refreshed = false;
    let failures = 0;
    let throttledMs = 0;
    let throttles = 0;
    for (;;) {
      init.signal?.throwIfAborted();
      const token = await this.opts.tokens.getToken(false);
      let res: Response;
      try {
        const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.o.timeoutMs)]) : AbortSignal.timeout(this.o.timeoutMs);
        res = await this.fetchFn(url, {
          method: init.method ?? "GET",
          headers: {
            Authorization: `Bearer ${token}`, Accept: "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0",
            ...(init.body !== undefined ? { "Content-Type": "application/json; charset=utf-8" } : {}),
            ...init.headers,
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal,
        });
      } catch (err) {
        if (init.signal?.aborted) throw init.signal.reason;
        const code = networkCode(err);
        if (code === "ENOTFOUND") {
          throw new InvalidUrlError(`Cannot resolve the host of the environment URL ${this.origin} (${code}). Check the URL: it looks like https://<org>.crm.dynamics.com.`, { cause: err });
        }
        if (++failures > this.o.maxRetries) {
          throw new DataverseUnavailableError(`Could not reach Dataverse at ${this.origin} after ${failures} attempts (${code}). Check the environment URL and the network; the export will retry later.`, 0, code, { cause: err });
        }
        await this.o.sleep(this.backoff(failures), init.signal);
        continue;
      }
      const text = await res.text();
      if (res.ok) return { status: res.status, text, url, headers: res.headers };
      if (res.status === 401 && !refreshed) {
        // A token can be revoked or expire early: get a new one once, then give up.
        refreshed = true;
        await this.opts.tokens.getToken(true);
        continue;
      }
      if (res.status === 429) {
        const retryAfter = Number(res.headers.get("retry-after") ?? "1");
        const waitS = Math.min(Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1, this.o.maxRetryAfterSeconds);
        const ms = Math.round(waitS * 1000 + this.o.random() * Math.min(1000, 100 + waitS * 100));
        if (throttledMs + ms > this.o.maxThrottleWaitSeconds * 1000 || ++throttles > 100) {
          throw new ThrottledError(`Dataverse kept throttling requests (429) for ${Math.round(throttledMs / 1000)} s, beyond the ${this.o.maxThrottleWaitSeconds} s allowed. Reduce parallel exports or schedule them off-peak; the export will retry later.`, throttledMs / 1000);
        }
        throttledMs += ms;
        await this.o.sleep(ms, init.signal);
        continue;
      }
      if (res.status >= 500) {
        if (++failures > this.o.maxRetries) {
          const e = parseError(text);
          throw new DataverseUnavailableError(`Dataverse at ${this.origin} answered ${res.status} ${e?.message ?? res.statusText} ${failures} times in a row. The service may be down or under maintenance; the export will retry later.`, res.status, e?.code ?? `HTTP${res.status}`);
        }
        const ra = Number(res.headers.get("retry-after"));
        await this.o.sleep(Number.isFinite(ra) && ra > 0 ? Math.min(ra, this.o.maxRetryAfterSeconds) * 1000 : this.backoff(failures), init.signal);
        continue;
      }
      throw this.toError(res.status, text, url, init.table);
    }
  }

  private backoff(attempt: number): number {
    const ms = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ms * (0.5 + this.o.random() * 0.5));
  }

  private toError(status: number, text: string, url: string, table?: string): DataverseError {
    const e = parseError(text);
    const what = table ?? "unknown";
    if (e?.code === CODES.notTracked) return new ChangeTrackingNotEnabledError(what, { cause: e });
    if (e?.code === CODES.tokenExpired) return new DeltaTokenExpiredError(what, { cause: e });
    if (status === 401) {
      return new AuthenticationError(`Dataverse at ${this.origin} rejected the access token (401). With client credentials: check that the app registration has an application user in this environment (Power Platform admin center → Environment → Settings → Application users). With a static token: the token is wrong or expired.`);
    }
    if (status === 403) {
      return new AuthenticationError(`Dataverse refused the request (403${e ? `: ${e.message}` : ""}). Give the application user a security role that can read the exported tables (e.g. a copy of "Basic User" with organization-level read on them).`, 403, e?.code ?? "Forbidden");
    }
    if (status === 404) {
      if (!e) return new InvalidUrlError(`${url} was not found and did not answer like Dataverse: check the environment URL (e.g. https://contoso.crm.dynamics.com).`);
      return new NotFoundError(`Not found in Dataverse: ${e.message} (${url})`, e.code);
    }
    return new DataverseError(`Dataverse answered ${status}${e ? ` ${e.code}: ${e.message}` : ""} for ${url}.`, e?.code ?? `HTTP${status}`, status);
  }
}
