export const organizationKeys = {
  all: ["organizations"] as const,
  list: () => [...organizationKeys.all, "list"] as const,
  tables: (id: string) => [...organizationKeys.all, id, "tables"] as const,
  relationships: (id: string, tables: readonly string[]) => [...organizationKeys.all, id, "relationships", [...tables].sort().join(",")] as const,
};
