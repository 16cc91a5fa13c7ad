// The synthetic account-like rows of bench/write.ts: 35 columns of every kind the engine writes
// (strings, a memo with a newline, lookups, money, decimals, doubles, dates and date-only days).
import type { AttributeInfo, SourceRecord, TableSchema } from "../lib/dataverse/types";

const attr = (logicalName: string, kind: AttributeInfo["kind"], extra: Partial<AttributeInfo> = {}): AttributeInfo => ({
  logicalName, kind, typeName: `${kind}Type`, isPrimaryId: false, isValidForRead: true, ...extra,
});

export const schema: TableSchema = {
  table: {
    logicalName: "account", schemaName: "Account", entitySetName: "accounts", primaryIdAttribute: "accountid",
    displayName: "Account", changeTrackingEnabled: true, isIntersect: false,
  },
  attributes: [
    attr("accountid", "Uniqueidentifier", { isPrimaryId: true }),
    attr("name", "String", { maxLength: 160 }),
    attr("accountnumber", "String", { maxLength: 20 }),
    attr("telephone1", "String", { maxLength: 50 }),
    attr("emailaddress1", "String", { maxLength: 100 }),
    attr("address1_line1", "String", { maxLength: 250 }),
    attr("address1_city", "String", { maxLength: 80 }),
    attr("address1_postalcode", "String", { maxLength: 20 }),
    attr("websiteurl", "String", { maxLength: 200 }),
    attr("description", "Memo", { maxLength: 2000 }),
    attr("primarycontactid", "Lookup", { targets: ["contact"] }),
    attr("parentaccountid", "Lookup", { targets: ["account"] }),
    attr("ownerid", "Owner", { targets: ["systemuser", "team"] }),
    attr("createdby", "Lookup", { targets: ["systemuser"] }),
    attr("transactioncurrencyid", "Lookup", { targets: ["transactioncurrency"] }),
    attr("revenue", "Money", { precision: 2 }),
    attr("creditlimit", "Money", { precision: 2 }),
    attr("exchangerate", "Decimal", { precision: 10 }),
    attr("address1_latitude", "Double", { precision: 5 }),
    attr("numberofemployees", "Integer"),
    attr("industrycode", "Picklist"),
    attr("statecode", "State"),
    attr("statuscode", "Status"),
    attr("donotemail", "Boolean"),
    attr("createdon", "DateTime"),
    attr("modifiedon", "DateTime"),
    attr("lastusedincampaign", "DateTime", { dateFormat: "DateOnly" }),
  ],
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
// Dataverse GUIDs are not in insertion order; a multiplicative hash scatters them like real ones.
const id = (kind: number, n: number) => `${hex(Math.imul(n + 1, 2654435761) >>> 0, 8)}-${hex(kind, 4)}-4000-8000-${hex(n, 12)}`;

export function record(n: number): SourceRecord {
  const day = 1 + (n % 28);
  return {
    id: id(1, n),
    version: String(1_000_000 + n),
    values: {
      name: `Account ${n} Fabrikam Contoso Ltd`,
      accountnumber: `AC-${n}`,
      telephone1: `+1 425 555 ${hex(n % 65536, 4)}`,
      emailaddress1: `contact${n}@example.com`,
      address1_line1: `${n % 9999} Main Street`,
      address1_city: ["Seattle", "Redmond", "Paris", "Zürich"][n % 4],
      address1_postalcode: String(10000 + (n % 89999)),
      websiteurl: `https://www.example${n % 500}.com`,
      description: n % 3 === 0 ? `Long-standing customer ${n}; renews yearly.\nSecond line.` : null,
      primarycontactid: { id: id(2, n), entityType: "contact" },
      parentaccountid: n % 5 === 0 && n > 0 ? { id: id(1, n - 1), entityType: "account" } : null,
      ownerid: { id: id(3, n % 50), entityType: n % 7 === 0 ? "team" : "systemuser" },
      createdby: { id: id(3, n % 50), entityType: "systemuser" },
      transactioncurrencyid: { id: id(4, 1), entityType: "transactioncurrency" },
      revenue: (n % 100000) * 12.5,
      creditlimit: 50000,
      exchangerate: 1.0000000001,
      address1_latitude: 47.6 + (n % 100) / 1000,
      numberofemployees: n % 5000,
      industrycode: 1 + (n % 30),
      statecode: 0,
      statuscode: 1,
      donotemail: n % 2 === 0,
      createdon: `2024-01-${String(day).padStart(2, "0")}T08:30:00Z`,
      modifiedon: `2024-02-${String(day).padStart(2, "0")}T17:45:12Z`,
      lastusedincampaign: `2023-12-${String(day).padStart(2, "0")}`,
    },
  };
}
