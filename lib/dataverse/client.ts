// The Dataverse Web API client the sync engine and the portal use. Works unchanged against a
// real environment (https://<org>.crm.dynamics.com) and the local emulator.
import { MsalTokenProvider, StaticTokenProvider, type TokenProvider } from "./auth.ts";
import { ANNOTATIONS_PREFER, RecordMapper, readChanges } from "./change-reader.ts";
import { AuthenticationError, NotFoundError } from "./errors.ts";
import { HttpClient, normaliseEnvironmentUrl, type RetryOptions } from "./http.ts";
import { fetchRecordsByIds, readIdVersions } from "./id-reads.ts";
import * as meta from "./metadata.ts";
import type { ChangePage, ChangeSource, IdVersion, ManyToManyInfo, OptionSetInfo, SourceRecord, TableInfo, TableSchema, WhoAmI } from "./types.ts";

export interface DataverseClientOptions extends RetryOptions {
  /** Environment URL, e.g. https://contoso.crm.dynamics.com or the emulator's URL. */
  url: string;
  /** A static bearer token (emulator, or a token obtained elsewhere). */
  token?: string;
  /** Entra ID client credentials (app registration with an application user in the environment). */
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Entra ID authority host for sovereign clouds (default https://login.microsoftonline.com). */
  authorityHost?: string;
  /** Any other token source (tests, managed identity). Takes precedence over token/credentials. */
  tokenProvider?: TokenProvider;
  fetch?: typeof fetch;
  /** Request the next change-tracking page while the current one is consumed (default true). */
  prefetch?: boolean;
}

const LOOKUP_KINDS = new Set(["Lookup", "Owner", "Customer"]);

export class DataverseClient implements ChangeSource {
  readonly http: HttpClient;
  /** Normalised environment URL (origin). */
  readonly url: string;
  private readonly schemas = new Map<string, TableSchema>();
  private tables: TableInfo[] | null = null;
  private readonly prefetch: boolean;

  constructor(opts: DataverseClientOptions) {
    const origin = normaliseEnvironmentUrl(opts.url);
    const tokens = opts.tokenProvider ?? tokenProviderFor({ ...opts, url: origin });
    this.http = new HttpClient({ ...opts, environmentUrl: opts.url, tokens });
    this.url = this.http.origin;
    this.prefetch = opts.prefetch !== false;
  }

  async whoAmI(): Promise<WhoAmI> {
    const r = await this.http.json<{ UserId: string; BusinessUnitId: string; OrganizationId: string }>("WhoAmI");
    return { userId: r.UserId, businessUnitId: r.BusinessUnitId, organizationId: r.OrganizationId };
  }

  /** The environment's version, e.g. "9.2.25013.00159". */
  async retrieveVersion(): Promise<string> {
    return (await this.http.json<{ Version: string }>("RetrieveVersion")).Version;
  }

  async listTables(opts: { changeTrackingOnly?: boolean } = {}): Promise<TableInfo[]> {
    const tables = await meta.listTables(this.http, opts.changeTrackingOnly === true);
    if (!opts.changeTrackingOnly) this.tables = tables;
    return tables;
  }

  /** Always reads fresh metadata (schema changes are detected through it) and caches it for reads. */
  async getTableSchema(logicalName: string): Promise<TableSchema> {
    const schema = await meta.getTableSchema(this.http, logicalName);
    this.schemas.set(logicalName, schema);
    return schema;
  }

  async listManyToMany(logicalNames?: string[]): Promise<ManyToManyInfo[]> {
    return meta.listManyToMany(this.http, logicalNames);
  }

  async listGlobalOptionSets(): Promise<OptionSetInfo[]> {
    return meta.listGlobalOptionSets(this.http);
  }

  /**
   * Approximate row count for a table picker (RetrieveTotalRecordCount: the service's snapshot,
   * refreshed about daily on real environments). Accepts a TableInfo, logical name or entity set name.
   */
  async countRecords(table: TableInfo | string): Promise<number> {
    const logicalName = typeof table === "string" ? await this.logicalNameOf(table) : table.logicalName;
    const r = await this.http.json<{ EntityRecordCountCollection: { Keys: string[]; Values: number[] } }>(
      `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=${encodeURIComponent(`['${logicalName}']`)}`,
    );
    const i = r.EntityRecordCountCollection.Keys.indexOf(logicalName);
    return i >= 0 ? r.EntityRecordCountCollection.Values[i] : 0;
  }

  private async logicalNameOf(name: string): Promise<string> {
    this.tables ??= await meta.listTables(this.http);
    const t = this.tables.find((x) => x.logicalName === name || x.entitySetName === name);
    if (!t) throw new NotFoundError(`Table or entity set '${name}' does not exist in this environment.`);
    return t.logicalName;
  }

  /** `select` holds attribute logical names; lookups are asked for as `_<name>_value`. */
  readChanges(
    table: TableInfo,
    opts: { select: string[]; from?: string; pageSize?: number; signal?: AbortSignal },
  ): AsyncIterable<ChangePage> {
    const self = this;
    return (async function* () {
      const select = opts.from ? [] : await self.webApiSelect(table, opts.select);
      yield* readChanges(self.http, table, select, { ...opts, prefetch: self.prefetch });
    })();
  }

  async fetchRecord(table: TableInfo, id: string, select: string[]): Promise<SourceRecord | null> {
    const cols = await this.webApiSelect(table, select);
    try {
      const item = await this.http.json<Record<string, unknown>>(`${table.entitySetName}(${id})?$select=${cols.join(",")}`, {
        headers: { Prefer: ANNOTATIONS_PREFER },
        table: table.logicalName,
      });
      return new RecordMapper(table.primaryIdAttribute).toRecord(item);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** Many records per request (`$filter` of `or`-joined ids, URLs kept under 16 KB); those that exist. */
  async fetchRecords(table: TableInfo, ids: string[], select: string[], opts: { signal?: AbortSignal } = {}): Promise<SourceRecord[]> {
    if (ids.length === 0) return [];
    return fetchRecordsByIds(this.http, table, await this.webApiSelect(table, select), ids, opts);
  }

  /** Every record's (id, version) in SQL Server's uniqueidentifier order, 5,000 a page. */
  readIdVersions(table: TableInfo, opts: { pageSize?: number; signal?: AbortSignal } = {}): AsyncIterable<IdVersion[]> {
    return readIdVersions(this.http, table, opts);
  }

  private async webApiSelect(table: TableInfo, select: string[]): Promise<string[]> {
    let schema = this.schemas.get(table.logicalName);
    // A column the cached schema does not know may be new: refresh once.
    if (!schema || select.some((s) => !s.startsWith("_") && !schema!.attributes.some((a) => a.logicalName === s))) {
      schema = await this.getTableSchema(table.logicalName);
    }
    const kinds = new Map(schema.attributes.map((a) => [a.logicalName, a.kind]));
    const out = select.map((s) => (LOOKUP_KINDS.has(kinds.get(s) ?? "") ? `_${s}_value` : s));
    if (!select.includes(table.primaryIdAttribute)) out.push(table.primaryIdAttribute);
    return out;
  }
}

function tokenProviderFor(opts: DataverseClientOptions): TokenProvider {
  if (opts.token) return new StaticTokenProvider(opts.token);
  if (opts.tenantId || opts.clientId || opts.clientSecret) {
    return new MsalTokenProvider(opts.url, {
      tenantId: opts.tenantId ?? "", clientId: opts.clientId ?? "", clientSecret: opts.clientSecret ?? "", authorityHost: opts.authorityHost,
    });
  }
  throw new AuthenticationError("No credentials: give either a bearer token or the tenant id, client id and client secret of an app registration that has an application user in the environment.", 0, "MissingCredentials");
}
