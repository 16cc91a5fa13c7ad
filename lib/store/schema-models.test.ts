import { describe, expect, it } from "vitest";
import { parseModels, storeModels } from "./schema-models";

describe("schema-models", () => {
  it("orders models after the models their foreign keys point to, with keys, sequences and mapped columns", () => {
    const models = parseModels(`
model Child {
  id     Int    @id @default(autoincrement())
  parentId String @map("parent_id")
  parent Parent @relation(fields: [parentId], references: [id])
  @@map("children")
}
model Link {
  a String
  b String
  child Child @relation(fields: [a], references: [id]) // comment
  @@id([a, b])
}
model Parent {
  id       String  @id
  children Child[]
}`);
    expect(models.map((m) => m.name)).toEqual(["Parent", "Child", "Link"]);
    expect(models[1]).toMatchObject({ table: "children", delegate: "child", id: ["id"], autoincrement: ["id"], dependsOn: ["Parent"], columns: { parentId: "parent_id" } });
    expect(models[2]).toMatchObject({ id: ["a", "b"], dependsOn: ["Child"] });
  });

  it("reads the real schema: every model has a key, Profile before its dependents", () => {
    const names = storeModels().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["User", "Organization", "Profile", "ProfileTable", "Failure", "ApiToken"]));
    expect(names.indexOf("Organization")).toBeLessThan(names.indexOf("Profile"));
    expect(names.indexOf("Profile")).toBeLessThan(names.indexOf("ProfileTable"));
  });
});
