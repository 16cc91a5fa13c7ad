import { describe, expect, it } from "vitest";
import { describeTarget, parseTarget } from "../target";
import { describeLake, parseLakeTarget, proposedContainerName } from "./lake-target";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

describe("data lake targets", () => {
  it("reads every accepted form", () => {
    expect(parseLakeTarget("lake:/tmp/x")).toEqual({ storage: "folder", root: "/tmp/x" });
    expect(parseLakeTarget(`abfss://dataverse-env-org@acct1.dfs.core.windows.net/sub/dir;AccountKey=${KEY}`)).toEqual({
      storage: "blob", account: "acct1", container: "dataverse-env-org", prefix: "sub/dir",
      blobEndpoint: "https://acct1.blob.core.windows.net", auth: { kind: "key", accountKey: KEY },
    });
    expect(parseLakeTarget("https://acct1.blob.core.windows.net/c1x?sv=2024&sig=abc")).toMatchObject({ container: "c1x", prefix: "", auth: { kind: "sas", sas: "sv=2024&sig=abc" } });
    expect(parseLakeTarget("abfss://c1x@acct1.dfs.core.windows.net")).toMatchObject({ auth: { kind: "organization" } });
    const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;Container=lake-one;Path=a/b`;
    expect(parseLakeTarget(cs)).toMatchObject({
      container: "lake-one", prefix: "a/b", blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
      auth: { kind: "connectionString", connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1` },
    });
    expect(parseTarget(cs).kind).toBe("datalake");
  });

  it("refuses malformed targets with a message naming the accepted forms, never echoing a key", () => {
    const bad = [
      "abfss://acct.dfs.core.windows.net/x",
      "abfss://Bad_Container@acct1.dfs.core.windows.net",
      "https://acct1.blob.core.windows.net/",
      "https://acct1.blob.core.windows.net/UPPER",
      `DefaultEndpointsProtocol=https;AccountName=a1b2c;AccountKey=${KEY}`,
      "lake:",
    ];
    for (const t of bad) {
      expect(() => parseLakeTarget(t), t).toThrow(/Accepted data lake targets/);
      try {
        parseLakeTarget(t);
      } catch (err) {
        expect((err as Error).message).not.toContain(KEY);
      }
    }
  });

  it("describes a lake without its key or SAS", () => {
    expect(describeTarget(`abfss://c1x@acct1.dfs.core.windows.net/p;AccountKey=${KEY}`)).toBe("https://acct1.blob.core.windows.net/c1x/p");
    expect(describeLake(parseLakeTarget("https://acct1.blob.core.windows.net/c1x/p?sv=1&sig=secret"))).not.toContain("secret");
  });

  it("proposes Synapse Link's container name", () => {
    expect(proposedContainerName("Contoso Prod", "org1a2b3c")).toBe("dataverse-contoso-prod-org1a2b3c");
  });
});
