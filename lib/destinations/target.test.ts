import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkNames, describeTarget, DestinationConnectError, openDestination, parseTarget, TargetFormatError } from "./index";

describe("parseTarget", () => {
  it("reads sqlite: paths, relative and absolute", () => {
    expect(parseTarget("sqlite:data/export.db")).toEqual({ kind: "sqlite", connection: { file: path.resolve("data/export.db") } });
    expect(parseTarget("sqlite:/var/lib/x.db").connection).toEqual({ file: "/var/lib/x.db" });
    expect(parseTarget("sqlite:///var/lib/x.db").connection).toEqual({ file: "/var/lib/x.db" });
  });

  it("reads postgres:// and postgresql:// URLs", () => {
    expect(parseTarget("postgres://me:p%40ss@db.example.com:6543/sales?sslmode=require")).toEqual({
      kind: "postgres",
      connection: {
        connectionString: "postgres://me:p%40ss@db.example.com:6543/sales?sslmode=require",
        host: "db.example.com",
        port: 6543,
        database: "sales",
        user: "me",
      },
    });
    expect(parseTarget("postgresql://h/db")).toMatchObject({ kind: "postgres", connection: { port: 5432, database: "db" } });
    // A Unix socket, as pg reads it (the URL parser alone saw no host here).
    expect(parseTarget("postgres://me@/sales?host=/var/run/postgresql")).toMatchObject({
      kind: "postgres", connection: { host: "/var/run/postgresql", database: "sales", user: "me" },
    });
    expect(describeTarget("postgres://me:secret@/sales?host=/var/run/postgresql")).toBe("postgres://me@/sales?host=/var/run/postgresql");
  });

  it("reads mssql:// URLs", () => {
    expect(parseTarget("mssql://sa:S3cret!@sql.local:14330/export?encrypt=false&trustServerCertificate=true")).toEqual({
      kind: "mssql",
      connection: {
        server: "sql.local",
        port: 14330,
        database: "export",
        user: "sa",
        password: "S3cret!",
        options: { encrypt: false, trustServerCertificate: true },
      },
    });
  });

  it("reads ADO.NET SQL Server connection strings", () => {
    const p = parseTarget("Server=tcp:x.database.windows.net,1433;Initial Catalog=db;Persist Security Info=False;User ID=u;Password=p;Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;");
    expect(p.kind).toBe("mssql");
    expect(p.connection).toMatchObject({ server: "x.database.windows.net", port: 1433, database: "db", user: "u", password: "p", options: { encrypt: true } });
  });

  it("rejects bad text listing the accepted forms, without echoing a password", () => {
    for (const bad of ["", "mysql://root:hunter2@h/db", "just some text", "mssql://u:hunter2@h:1433", "Server=h;User ID=u;Password=hunter2"]) {
      let err: unknown;
      try {
        parseTarget(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(TargetFormatError);
      expect((err as Error).message).toContain("sqlite:PATH");
      expect((err as Error).message).not.toContain("hunter2");
    }
  });
});

describe("describeTarget", () => {
  it("removes passwords", () => {
    expect(describeTarget("postgres://me:secret@db:5432/sales")).toBe("postgres://me@db:5432/sales");
    expect(describeTarget("mssql://sa:secret@sql:1433/export")).toBe("mssql://sa@sql:1433/export");
    expect(describeTarget("Server=tcp:x.windows.net,1433;Initial Catalog=db;User ID=u;Password=secret")).toBe("mssql://u@x.windows.net:1433/db");
    expect(describeTarget("sqlite:/tmp/a.db")).toBe("sqlite:/tmp/a.db");
    expect(describeTarget("garbage:secret")).toBe("(unrecognized target)");
  });
});

describe("openDestination", () => {
  it("opens lazily: an unreachable server fails on first use, naming host and port only", async () => {
    const d = await openDestination("postgres://u:topsecret@127.0.0.1:1/db", { schemaName: "dbo", prefix: "" });
    expect(d.kind).toBe("postgres");
    const err = await d.prepare({ deleteLog: false }).then(() => null, (e: Error) => e);
    expect(err?.message).toContain("127.0.0.1:1");
    expect(err?.message).not.toContain("topsecret");
    // Classifiable as "target down", not as a bad record.
    expect(err).toBeInstanceOf(DestinationConnectError);
    expect(err).toMatchObject({ name: "ConnectionError", code: "ECONNREFUSED" });
    await d.close();
  });

  it("names the file of an SQLite target whose folder is missing", async () => {
    const d = await openDestination("sqlite:/nonexistent-dvx/x.db", { schemaName: "dbo", prefix: "" });
    await expect(d.prepare({ deleteLog: false })).rejects.toThrow("/nonexistent-dvx");
    await expect(d.prepare({ deleteLog: false })).rejects.toMatchObject({ code: "SQLITE_CANTOPEN" });
    await d.close();
  });
});

describe("checkNames", () => {
  it("applies each target's identifier limit", () => {
    const long64 = "p_" + "a".repeat(62);
    expect(checkNames("postgres", ["p_account", long64])).toMatchObject({ ok: false, message: expect.stringContaining(long64) });
    expect(checkNames("postgres", ["p_" + "é".repeat(31)]).ok).toBe(false); // 64 bytes
    expect(checkNames("mssql", [long64]).ok).toBe(true);
    expect(checkNames("mssql", ["x".repeat(129)]).ok).toBe(false);
    expect(checkNames("sqlite", ["x".repeat(1000)]).ok).toBe(true);
  });
});
