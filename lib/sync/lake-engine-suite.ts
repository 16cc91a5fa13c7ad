// The engine end to end into a data lake (not a test file: engine.lake-*.test.ts run it against a
// folder and against Azurite). Every check reads the lake back with DuckDB and compares it with
// the emulator's rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { parseCsv } from "../destinations/lake/csv";
import { parseLakeTarget } from "../destinations/lake/lake-target";
import { openStorage } from "../destinations/lake/open-storage";
import { openLakeReader } from "../destinations/lake/reader";
import type { LakeStorage } from "../destinations/lake/storage";
import { loadBook } from "../destinations/lake/table-book";
import { expectLakeMatchesSource, expectReadableModel } from "../destinations/lake/test-support";
import { incrementalFolders } from "../destinations/lake/incremental-folders";
import { readableEntities } from "../destinations/lake/model-json";
import type { LakeSettings } from "../destinations/types";
import { runProfile } from "./profile-runner";
import { createProfile, makeStore, webApi } from "./test-support";

export interface LakeSuiteTarget {
  /** A target string for a fresh, empty lake named `name`. */
  make(name: string): Promise<string>;
  close?(): Promise<void>;
}

interface Lake {
  profileId: string;
  target: string;
  storage: LakeStorage;
  settings: Partial<LakeSettings>;
  tables: string[];
}

/** `timeoutMs`: per test; Azurite answers each request in milliseconds, a folder in microseconds. */
export function lakeEngineSuite(title: string, setup: () => Promise<LakeSuiteTarget | null>, timeoutMs = 60_000): void {
  let emu: RunningEmulator;
  let control: EmulatorControl;
  let db: Db;
  let api: ReturnType<typeof webApi>;
  let where: LakeSuiteTarget | null;
  const lakes: Record<"append" | "inplace", Lake> = {} as never;

  const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
  const once = (lake: Lake) =>
    runProfile(
      lake.profileId,
      // The lake options come from the profile's fields, as the worker reads them.
      { db, sourceFactory: fastSource, pageSize: 40 },
      { signal: new AbortController().signal, once: true },
    );
  const both = async () => {
    for (const l of Object.values(lakes)) expect((await once(l)).anyTableFailed).toBe(false);
  };
  const read = async <T>(lake: Lake, fn: (r: Awaited<ReturnType<typeof openLakeReader>>) => Promise<T>, source: "live" | "snapshot" | "incremental" = "live", folder?: string) => {
    const reader = await openLakeReader(lake.storage, { source, folder });
    try {
      return await fn(reader);
    } finally {
      await reader.close();
    }
  };
  const matches = async (lake: Lake, source: "live" | "snapshot" = "live") =>
    read(lake, async (r) => {
      for (const t of lake.tables) await expectLakeMatchesSource(r, emu.url, t);
    }, source);

  describe(title, () => {
    let skipped = false;
    beforeAll(async () => {
      where = await setup();
      if (!where) {
        skipped = true;
        return;
      }
      ({ db } = makeStore());
      emu = await startEmulator({ port: 0, records: 120, seed: 11 });
      control = emulatorControl(emu.url, emu.token);
      api = webApi(emu.url);
      const mk = async (name: "append" | "inplace", settings: Partial<LakeSettings>, tables: string[]) => {
        const target = await where!.make(`lake-${name}`);
        const profileId = await createProfile(db, {
          name: `lake-${name}`, source: emu.url, target, tables, relationships: name === "append" ? ["accountleads_association"] : [],
          lakeMode: settings.mode, partition: settings.granularity, snapshotMinutes: settings.snapshotMinutes, snapshotKeep: settings.snapshotKeep,
          incrementalFolders: settings.incrementalFolders,
        });
        lakes[name] = { profileId, target, settings, storage: await openStorage(parseLakeTarget(target)), tables: name === "append" ? [...tables, "accountleads"] : tables };
      };
      await mk("append", { mode: "appendOnly", snapshotMinutes: 0, snapshotKeep: 3, incrementalFolders: true }, ["account", "contact", "cr0a1_project"]);
      await mk("inplace", { mode: "inPlace", granularity: "Month", snapshotMinutes: 0, snapshotKeep: 2 }, ["account", "cr0a1_project"]);
    }, 60_000);
    afterAll(async () => {
      if (skipped) return;
      await db.$disconnect();
      await emu.close();
      await where?.close?.();
    });

    it("initial export: every table and value, model.json Microsoft's reader accepts, option-set labels", async (ctx) => {
      if (skipped) return ctx.skip();
      await both();
      for (const lake of Object.values(lakes)) {
        await matches(lake);
        const completed = await expectReadableModel(lake.storage);
        expect(completed.sort()).toEqual([...lake.tables].sort());
        const labels = (await lake.storage.read("OptionsetMetadata/OptionsetMetadata.csv"))!.toString("utf8");
        const rows = parseCsv(labels);
        expect(rows[0]).toEqual(["EntityName", "OptionSetName", "Option", "IsUserLocalizedLabel", "LocalizedLabelLanguageCode", "LocalizedLabel"]);
        expect(rows.filter((r) => r[0] === "account" && r[1] === "industrycode")).toHaveLength(6);
        expect(await lake.storage.read("Microsoft.Athena.TrickleFeedService/account-model.json")).not.toBeNull();
        // Headerless: the first field of the first line is an Id.
        const first = (await loadBook(lake.storage, "account"))!.files[0];
        expect((await lake.storage.read(first.path))!.toString("utf8")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      }
      for (const lake of Object.values(lakes)) {
        const p = await db.profile.findUniqueOrThrow({ where: { id: lake.profileId } });
        expect(p.destinationType).toBe("datalake");
        expect(p.lakeSnapshotCount).toBe(lake.tables.length);
        expect(p.lakeLastSnapshotAt).not.toBeNull();
        expect(p.lakeFilesWritten).toBeGreaterThanOrEqual(lake.tables.length);
        expect(p.lakeBytesWritten).toBeGreaterThan(10_000);
      }
      const inplace = (await loadBook(lakes.inplace.storage, "account"))!;
      expect(inplace.files.every((f) => /^account\/\d{4}-\d{2}(_\d+)?\.csv$/.test(f.path))).toBe(true);
    }, timeoutMs);

    it("creates, updates and deletes, with commas, quotes, newlines, non-ASCII and nulls", async (ctx) => {
      if (skipped) return ctx.skip();
      const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
      const awkward = `Comma, "quoted" name\nsecond line; ünïcödé 日本語 ✓\r\nthird`;
      const created = await api.create("accounts", { name: awkward, description: null, numberofemployees: 7 }, "accountid");
      await api.update("accounts", a1, { name: "Renamed, again", description: "" });
      await api.update("accounts", a2, { description: null, accountnumber: null });
      await api.remove("accounts", a3);
      await both();
      for (const lake of Object.values(lakes)) {
        await matches(lake);
        const got = await read(lake, (r) => r.query(`select name from account where Id = '${created}'`));
        expect(got[0].name).toBe(awkward);
        expect(await read(lake, (r) => r.query(`select count(*)::int n from account where Id = '${a3}'`))).toEqual([{ n: 0 }]);
      }
      // Append-only keeps the delete as a row; in place removes it and keeps one row per Id.
      const raw = await read(lakes.append, (r) => r.query(`select IsDelete from raw.account where Id = '${a3}' order by versionnumber`));
      expect(raw.at(-1)).toEqual({ IsDelete: true });
      const inplaceRaw = await read(lakes.inplace, (r) => r.query(`select Id, count(*)::int n from raw.account group by Id having n > 1 or Id = '${a3}'`));
      expect(inplaceRaw).toEqual([]);
    }, timeoutMs);

    it("incremental update folders: only the changed tables, model.json last, Changelog; together they give the source's state", async (ctx) => {
      if (skipped) return ctx.skip();
      const lake = lakes.append;
      const before = await incrementalFolders(lake.storage);
      // The initial export and the changes of the previous test: at least two folders.
      expect(before.length).toBeGreaterThanOrEqual(2);
      for (const f of before) expect(f).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}Z$/);
      const [c] = await api.firstIds("contacts", "contactid", 1);
      await api.update("contacts", c, { firstname: "Only contacts changed" });
      expect((await once(lake)).anyTableFailed).toBe(false);
      const after = await incrementalFolders(lake.storage);
      expect(after.length).toBe(before.length + 1);
      const last = after.at(-1)!;
      expect((await lake.storage.read("Changelog/changelog.info"))!.toString("utf8")).toBe(last);
      const model = JSON.parse((await lake.storage.read(`${last}/model.json`))!.toString("utf8"));
      expect(readableEntities(model)).toMatchObject({ ok: true });
      expect(model.entities.map((e: { name: string }) => e.name)).toEqual(["contact"]);
      const files = (await lake.storage.list(`${last}/`)).map((f) => f.path);
      expect(files.every((p) => p === `${last}/model.json` || p.startsWith(`${last}/contact/`))).toBe(true);
      // The last folder holds exactly the changed row; every folder together is the whole table.
      expect(await read(lake, (r) => r.query(`select Id, firstname from raw.contact`), "incremental", last)).toEqual([{ Id: c, firstname: "Only contacts changed" }]);
      await read(lake, async (r) => {
        for (const t of lake.tables) await expectLakeMatchesSource(r, emu.url, t);
      }, "incremental");
      // Nothing changed: no new folder.
      await once(lake);
      expect(await incrementalFolders(lake.storage)).toEqual(after);
    }, timeoutMs);

    it("snapshots: a newer one per changed cycle, older ones byte-identical, retention keeps the last K", async (ctx) => {
      if (skipped) return ctx.skip();
      for (const lake of Object.values(lakes)) {
        const keep = lake.settings.snapshotKeep!;
        const first = (await loadBook(lake.storage, "account"))!.snapshots;
        expect(first.length).toBeGreaterThan(0);
        const seen = new Map<string, Buffer>();
        const checkAndRemember = async () => {
          const gens = (await loadBook(lake.storage, "account"))!.snapshots;
          for (const g of gens) {
            for (const f of g.files) {
              const now = (await lake.storage.read(f.path))!;
              const before = seen.get(f.path);
              if (before) expect(now.equals(before), `${f.path} changed`).toBe(true);
              else seen.set(f.path, now);
            }
          }
          return gens;
        };
        await checkAndRemember();
        let count = first.length;
        for (let i = 0; i < keep + 1; i++) {
          const [a] = await api.firstIds("accounts", "accountid", 1);
          await api.update("accounts", a, { name: `snapshot round ${i}` });
          await once(lake);
          const gens = await checkAndRemember();
          expect(gens.at(-1)!.at > first.at(-1)!.at).toBe(true);
          count = Math.min(keep, count + 1);
          expect(gens).toHaveLength(count);
        }
        const after = (await loadBook(lake.storage, "account"))!.snapshots;
        expect(after.some((g) => g.at === first[0].at)).toBe(false);
        for (const f of first[0].files) expect(await lake.storage.read(f.path)).toBeNull();
        // The files model.json names exist, and reading them gives the source's state.
        const model = JSON.parse((await lake.storage.read("model.json"))!.toString("utf8"));
        const entity = model.entities.find((e: { name: string }) => e.name === "account");
        expect(entity.partitions.every((p: { location: string }) => p.location.includes("/account/Snapshot/"))).toBe(true);
        await matches(lake, "snapshot");
      }
    }, timeoutMs);

    it("a schema change starts new files (never two widths in one file) and extends model.json", async (ctx) => {
      if (skipped) return ctx.skip();
      const [a] = await api.firstIds("accounts", "accountid", 1);
      await control.addAttribute("account", { logicalName: "cr0a1_score", kind: "Integer" });
      await control.setFields("account", a, { cr0a1_score: 42 });
      await both();
      for (const lake of Object.values(lakes)) {
        await matches(lake);
        const book = (await loadBook(lake.storage, "account"))!;
        expect(book.columns.at(-1)!.name).toBe("cr0a1_score");
        for (const f of book.files) {
          const widths = new Set(parseCsv((await lake.storage.read(f.path))!.toString("utf8")).map((r) => r.length));
          expect([...widths], f.path).toEqual([f.columns]);
        }
        const model = JSON.parse((await lake.storage.read("model.json"))!.toString("utf8"));
        expect(model.entities.find((e: { name: string }) => e.name === "account").attributes.at(-1).name).toBe("cr0a1_score");
        expect(await read(lake, (r) => r.query(`select cr0a1_score from account where Id = '${a}'`))).toEqual([{ cr0a1_score: "42" }]);
      }
    }, timeoutMs);
  });
}
