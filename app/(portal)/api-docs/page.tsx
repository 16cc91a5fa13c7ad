import type { Metadata } from "next";
import { headers } from "next/headers";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { openApiDocument } from "@/lib/api/openapi";
import { requirePageSession } from "@/lib/auth/session";
import { ScrollRegion } from "@/components/ui/scroll-region";

export const metadata: Metadata = { title: "API" };
export const dynamic = "force-dynamic";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHOD_STYLE: Record<string, string> = {
  get: "bg-blue-100 text-blue-900",
  post: "bg-green-100 text-green-900",
  put: "bg-amber-100 text-amber-900",
  delete: "bg-red-100 text-red-900",
};

async function serverUrl(): Promise<string> {
  const configured = process.env.PUBLIC_URL || process.env.NEXTAUTH_URL;
  if (configured && URL.canParse(configured)) return new URL(configured).origin;
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

function typeOf(s: Obj | undefined): string {
  if (!s) return "";
  if (s.$ref) return String(s.$ref).split("/").pop()!;
  if (s.anyOf) return (s.anyOf as Obj[]).map(typeOf).join(" | ");
  if (s.type === "array") return `${typeOf(s.items)}[]`;
  if (s.enum) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  return [s.type, s.format].filter(Boolean).join(", ") || "object";
}

function limits(s: Obj): string {
  const parts: string[] = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`${s.minLength ?? 0}–${s.maxLength ?? "∞"} characters`);
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? "−∞"}–${s.maximum ?? "∞"}`);
  if (s.pattern) parts.push(`matches ${s.pattern}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join("; ");
}

function SchemaTable({ name, schema }: { name: string; schema: Obj }) {
  const props = Object.entries((schema.properties ?? {}) as Obj);
  const required = new Set((schema.required ?? []) as string[]);
  return (
    <ScrollRegion label={`${name} fields`}>
      <table className="min-w-full text-left text-sm" aria-label={`${name} fields`}>
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            <th scope="col" className="py-1 pr-4 font-medium">Field</th>
            <th scope="col" className="py-1 pr-4 font-medium">Type</th>
            <th scope="col" className="py-1 font-medium">Notes</th>
          </tr>
        </thead>
        <tbody>
          {props.map(([field, s]) => (
            <tr key={field} className="border-b border-slate-100 align-top last:border-0">
              <td className="py-1 pr-4 font-mono">
                {field}
                {required.has(field) ? <span className="text-red-700" title="required"> *</span> : null}
              </td>
              <td className="py-1 pr-4 font-mono text-xs">{typeOf(s)}</td>
              <td className="py-1 text-slate-700">
                {[s.description, limits(s), s.type === "object" && s.properties ? `fields: ${Object.keys(s.properties).join(", ")}` : ""].filter(Boolean).join(" · ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

export default async function ApiDocsPage() {
  await requirePageSession();
  const base = await serverUrl();
  const doc = openApiDocument(base) as Obj;
  const schemas = doc.components.schemas as Obj;
  const ops = Object.entries(doc.paths as Obj).flatMap(([path, byMethod]) => Object.entries(byMethod as Obj).map(([method, op]) => ({ path, method, op: op as Obj })));
  const tags = [...new Set(ops.map((o) => o.op.tags[0] as string))];
  return (
    <>
      <PageHeader
        title="REST API"
        description="The Data Export Service's operations with its field names: scripts written for it move over with a change of host and token."
      />
      <div className="space-y-8">
        <Card title="Getting started">
          <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-700">
            <li>
              An admin creates a token on the <a className="text-blue-700 underline" href="/tokens">API tokens</a> page (or runs{" "}
              <code className="rounded bg-slate-100 px-1">npx dataverse-export token create --name NAME --role admin</code> on the server).
            </li>
            <li>
              Every request carries <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;token&gt;</code>. Viewer tokens read; contributor tokens also change profiles over connections shared with contributors; admin tokens change anything.
            </li>
            <li>
              Errors come back as <code className="rounded bg-slate-100 px-1">{`{ "error": { "code", "message", "fields" } }`}</code>; a 400 names the field.
            </li>
          </ol>
          <pre className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{`curl -H "Authorization: Bearer $TOKEN" ${base}/crm/exporter/metadata/organizations`}</pre>
          <p className="text-sm text-slate-700">
            Machine-readable: <a className="text-blue-700 underline" href="/crm/exporter/swagger.json">/crm/exporter/swagger.json</a> (OpenAPI {doc.openapi}).
          </p>
        </Card>

        {tags.map((tag) => (
          <Card key={tag} title={tag}>
            <ul className="space-y-4">
              {ops
                .filter((o) => o.op.tags[0] === tag)
                .map(({ path, method, op }) => (
                  <li key={`${method} ${path}`} className="space-y-1 border-b border-slate-100 pb-3 last:border-0" id={op.operationId}>
                    <div className="flex flex-wrap items-center gap-2">
                      <span className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>{method}</span>
                      <code className="font-mono text-sm">{path}</code>
                      {op.security && op.security.length === 0 ? <span className="text-xs text-slate-500">(no token)</span> : null}
                    </div>
                    <p className="text-sm text-slate-700">{op.summary}</p>
                    {op.description ? <p className="text-sm text-slate-600">{op.description}</p> : null}
                    {op.parameters?.length ? (
                      <p className="text-xs text-slate-600">
                        Parameters:{" "}
                        {(op.parameters as Obj[]).map((p) => `${p.name}${p.in === "path" ? " (path)" : ""}${p.required ? "" : "?"}`).join(", ")}
                      </p>
                    ) : null}
                    {op.requestBody ? <p className="text-xs text-slate-600">Body: {typeOf(op.requestBody.content["application/json"].schema)}</p> : null}
                    <p className="text-xs text-slate-600">
                      Answers:{" "}
                      {Object.entries(op.responses as Obj)
                        .map(([code, r]) => {
                          const s = (r as Obj).content?.["application/json"]?.schema;
                          return `${code}${s && code.startsWith("2") ? ` ${typeOf(s)}` : ""}`;
                        })
                        .join(" · ")}
                    </p>
                  </li>
                ))}
            </ul>
          </Card>
        ))}

        {["ProfileRequest", "ProfileUpdate", "Profile", "EntityStatus", "Organization", "Entity", "ValidationReport", "FailuresLink", "Error"].map((name) => (
          <Card key={name} title={name}>
            {schemas[name].description ? <p className="text-sm text-slate-600">{schemas[name].description}</p> : null}
            <SchemaTable name={name} schema={schemas[name]} />
          </Card>
        ))}
      </div>
    </>
  );
}
