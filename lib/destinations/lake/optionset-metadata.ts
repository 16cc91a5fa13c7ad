// OptionsetMetadata/*.csv: the option-set, state, status and lookup-target labels of every
// exported table, one file per kind as Synapse Link writes them (with a header row, so the files
// read on their own), rows of one table replaced together.
import type { TableSchema } from "../../dataverse/types";
import { LABEL_TABLES, labelRowsFor } from "../label-tables";
import type { TargetTableSpec } from "../types";
import { csvLine, parseCsv, type CsvKind } from "./csv";
import { entityMetadataPath } from "./table-book";
import type { LakeStorage } from "./storage";

export const OPTIONSET_FOLDER = "OptionsetMetadata";
const FILES: Record<string, string> = {
  OptionSetMetadata: "OptionsetMetadata.csv",
  GlobalOptionSetMetadata: "GlobalOptionsetMetadata.csv",
  StateMetadata: "StateMetadata.csv",
  StatusMetadata: "StatusMetadata.csv",
  TargetMetadata: "TargetMetadata.csv",
};

export async function writeOptionsetMetadata(storage: LakeStorage, schema: TableSchema, spec: TargetTableSpec): Promise<void> {
  const rows = labelRowsFor(schema, spec);
  for (const t of LABEL_TABLES) {
    const file = FILES[t.name];
    if (!file) continue;
    const names = t.columns.map((c) => c.name);
    const kinds: CsvKind[] = t.columns.map((c) => (c.type === "int" ? "plain" : c.type === "bool" ? "bool" : "quoted"));
    const entityAt = names.indexOf("EntityName");
    const path = `${OPTIONSET_FOLDER}/${file}`;
    const existing = (await storage.read(path))?.toString("utf8");
    const kept = existing ? parseCsv(existing).slice(1).filter((r) => r[entityAt] !== spec.entity) : [];
    let text = names.join(",") + "\n";
    for (const r of kept) text += csvLine(r.map((v, i) => (kinds[i] === "bool" && v !== null ? v === "True" : v)), kinds);
    for (const r of rows.get(t.name) ?? []) text += csvLine(names.map((n) => r[n]), kinds);
    await storage.write(path, text);
  }
  // The per-table copy Synapse Link keeps beside the table's model.
  const mine = Object.fromEntries([...rows].filter(([k]) => FILES[k]).map(([k, v]) => [FILES[k].replace(/\.csv$/, ""), v]));
  await storage.write(entityMetadataPath(spec.tableName), JSON.stringify({ entity: spec.entity, ...mine }, null, 1));
}
