// Data lake target strings:
//   lake:PATH                                                    a local folder
//   abfss://CONTAINER@ACCOUNT.dfs.core.windows.net[/PATH][;AccountKey=K | ;SharedAccessSignature=SAS]
//   https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH][?SAS][;AccountKey=K]
//   DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…[;BlobEndpoint=…];Container=C[;Path=P]
// Without a key, SAS or connection string, the organization's app registration (client
// credentials) authenticates, as the Dataverse reads do. The DFS host of an abfss URL is mapped to
// the Blob endpoint: everything is written through the Blob API.
import path from "node:path";

export type LakeAuth =
  | { kind: "key"; accountKey: string }
  | { kind: "sas"; sas: string }
  | { kind: "connectionString"; connectionString: string }
  | { kind: "organization" };

export type ParsedLake =
  | { storage: "folder"; root: string }
  | { storage: "blob"; account: string; container: string; prefix: string; blobEndpoint: string; auth: LakeAuth };

export const LAKE_TARGET_FORMS =
  "lake:PATH, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net[/PATH][;AccountKey=KEY|;SharedAccessSignature=SAS], " +
  "https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH][?SAS], or a storage connection string with ;Container=NAME[;Path=P]";

export class LakeTargetError extends Error {
  constructor(detail: string) {
    super(`${detail}. Accepted data lake targets: ${LAKE_TARGET_FORMS}`);
    this.name = "TargetFormatError";
  }
}

/** Container names: 3-63 lower-case letters, digits and single hyphens (Azure's rule). */
export const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

export function looksLikeLake(text: string): boolean {
  const t = text.trim();
  return /^lake:/i.test(t) || /^abfss?:\/\//i.test(t) || /^https?:\/\/[^/]+\.blob\.core\.windows\.net(\/|$)/i.test(t) || /(^|;)\s*(DefaultEndpointsProtocol|AccountName|BlobEndpoint)\s*=/i.test(t);
}

function settings(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) m.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim());
  }
  return m;
}

function cleanPrefix(p: string): string {
  const s = decodeURIComponent(p).replace(/^\/+|\/+$/g, "");
  if (s.split("/").some((x) => x === ".." || x === ".")) throw new LakeTargetError("The lake path may not contain . or .. segments");
  return s;
}

function checkContainer(c: string): void {
  if (!CONTAINER_NAME.test(c)) throw new LakeTargetError(`'${c}' is not a valid container name (3-63 lower-case letters, digits and single hyphens)`);
}

function authFrom(extra: Map<string, string>, sasQuery: string): LakeAuth {
  const key = extra.get("accountkey");
  const sas = extra.get("sharedaccesssignature") ?? (sasQuery || undefined);
  if (key && sas) throw new LakeTargetError("Give either an AccountKey or a SAS, not both");
  if (key) {
    if (!/^[A-Za-z0-9+/=]+$/.test(key)) throw new LakeTargetError("The AccountKey is not base64");
    return { kind: "key", accountKey: key };
  }
  if (sas) return { kind: "sas", sas: sas.replace(/^\?/, "") };
  return { kind: "organization" };
}

export function parseLakeTarget(text: string): ParsedLake {
  const t = (text ?? "").trim();
  if (/^lake:/i.test(t)) {
    let p = t.slice(5);
    if (p.startsWith("//")) p = p.slice(2);
    if (!p) throw new LakeTargetError("The lake target names no folder (lake:PATH)");
    return { storage: "folder", root: path.resolve(p) };
  }
  if (/^abfss?:\/\//i.test(t)) {
    const [urlPart, ...rest] = t.split(";");
    const m = /^abfss?:\/\/([^@/]+)@([^./]+)\.dfs\.core\.windows\.net(\/[^?#]*)?$/i.exec(urlPart);
    if (!m) throw new LakeTargetError("The abfss URL must look like abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH");
    const [, container, account, p] = m;
    checkContainer(container);
    if (!ACCOUNT_NAME.test(account)) throw new LakeTargetError(`'${account}' is not a valid storage account name`);
    return { storage: "blob", account, container, prefix: cleanPrefix(p ?? ""), blobEndpoint: `https://${account}.blob.core.windows.net`, auth: authFrom(settings(rest.join(";")), "") };
  }
  if (/^https?:\/\//i.test(t) && !/(^|;)\s*(DefaultEndpointsProtocol|AccountName)\s*=/i.test(t)) {
    const [urlPart, ...rest] = t.split(";");
    let u: URL;
    try {
      u = new URL(urlPart);
    } catch {
      throw new LakeTargetError("The storage URL is not a valid URL");
    }
    const m = /^([a-z0-9]+)\.blob\.core\.windows\.net$/i.exec(u.hostname);
    if (!m) throw new LakeTargetError("The storage URL must be https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH]");
    const [container, ...segments] = u.pathname.replace(/^\/+/, "").split("/");
    if (!container) throw new LakeTargetError("The storage URL names no container (https://ACCOUNT.blob.core.windows.net/CONTAINER)");
    checkContainer(container);
    return {
      storage: "blob", account: m[1].toLowerCase(), container, prefix: cleanPrefix(segments.join("/")),
      blobEndpoint: `${u.protocol}//${u.host}`, auth: authFrom(settings(rest.join(";")), u.search.slice(1)),
    };
  }
  const s = settings(t);
  const container = s.get("container");
  const account = s.get("accountname");
  if (!s.get("accountkey") && !s.get("sharedaccesssignature")) throw new LakeTargetError("The storage connection string has no AccountKey or SharedAccessSignature");
  if (!container) throw new LakeTargetError("The storage connection string names no container (add ;Container=NAME)");
  checkContainer(container);
  if (!account && !s.get("blobendpoint")) throw new LakeTargetError("The storage connection string has no AccountName or BlobEndpoint");
  // The SDK parses the standard keys; ours (Container, Path) are taken out first.
  const connectionString = t.split(";").filter((p) => !/^\s*(container|path)\s*=/i.test(p) && p.trim()).join(";");
  const endpoint = s.get("blobendpoint") ?? `${s.get("defaultendpointsprotocol") ?? "https"}://${account}.blob.${s.get("endpointsuffix") ?? "core.windows.net"}`;
  return {
    storage: "blob", account: account ?? new URL(endpoint).hostname, container, prefix: cleanPrefix(s.get("path") ?? ""),
    blobEndpoint: endpoint.replace(/\/+$/, ""), auth: { kind: "connectionString", connectionString },
  };
}

/** The lake without its key or SAS, for logs, errors and the UI. */
export function describeLake(p: ParsedLake): string {
  if (p.storage === "folder") return `lake:${p.root}`;
  const base = `${p.blobEndpoint}/${p.container}`;
  return p.prefix ? `${base}/${p.prefix}` : base;
}

export { proposedContainerName } from "./container-name";
