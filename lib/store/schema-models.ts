// The portal store's models as prisma/schema.prisma declares them, for code that must visit
// every table (store copy): names, primary key, autoincrement columns, and an order in which
// each model comes after the models its foreign keys point to. Read from the schema itself so
// tables added later are copied without anyone remembering to list them. (The generated
// client's runtime data model carries neither keys nor relation directions.)
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../config/paths";

export interface StoreModel {
  name: string;
  /** Prisma client delegate name (camelCase). */
  delegate: string;
  /** Table name in the database (@@map, else the model name). */
  table: string;
  /** Primary key fields, in order. */
  id: string[];
  /** Fields with @default(autoincrement()): their sequences must follow copied ids. */
  autoincrement: string[];
  /** Models this one references (@relation(fields: …)). */
  dependsOn: string[];
  /** Fields stored under another column name (@map), field → column. */
  columns: Record<string, string>;
}

export function parseModels(schema: string): StoreModel[] {
  const models: StoreModel[] = [];
  for (const m of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = m;
    const model: StoreModel = { name, delegate: name[0].toLowerCase() + name.slice(1), table: name, id: [], autoincrement: [], dependsOn: [], columns: {} };
    for (const raw of body.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line) continue;
      const blockId = line.match(/^@@id\(\s*\[([^\]]*)\]/);
      if (blockId) model.id = blockId[1].split(",").map((s) => s.trim());
      const map = line.match(/^@@map\(\s*"([^"]+)"/);
      if (map) model.table = map[1];
      const field = line.match(/^(\w+)\s+(\w+)(\[\])?\??\s*(.*)$/);
      if (!field || line.startsWith("@@")) continue;
      const [, fieldName, type, , attrs] = field;
      if (/(^|\s)@id\b/.test(attrs)) model.id = [fieldName];
      if (/@default\(\s*autoincrement\(\)\s*\)/.test(attrs)) model.autoincrement.push(fieldName);
      const mapped = attrs.match(/@map\(\s*"([^"]+)"/);
      if (mapped) model.columns[fieldName] = mapped[1];
      if (/@relation\([^)]*fields\s*:/.test(attrs) && type !== name) model.dependsOn.push(type);
    }
    if (!model.id.length) throw new Error(`model ${name} has no primary key: store copy cannot page through it`);
    models.push(model);
  }
  return dependencyOrder(models);
}

function dependencyOrder(models: StoreModel[]): StoreModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const out: StoreModel[] = [];
  const visit = (m: StoreModel, path: string[]) => {
    if (done.has(m.name)) return;
    if (path.includes(m.name)) throw new Error(`foreign keys form a cycle: ${[...path, m.name].join(" → ")}`);
    for (const d of m.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, [...path, m.name]);
    }
    done.add(m.name);
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}

export function storeModels(schemaPath = path.join(projectRoot(), "prisma", "schema.prisma")): StoreModel[] {
  return parseModels(fs.readFileSync(schemaPath, "utf8"));
}
