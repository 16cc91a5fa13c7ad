// Display names of target kinds, for pages and client components (no server-only imports).
export const TARGET_TYPE_LABELS: Record<string, string> = { sqlite: "SQLite", postgres: "PostgreSQL", mssql: "SQL Server", datalake: "Data lake" };
