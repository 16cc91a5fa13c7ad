// Dataverse schemas and records used by the destination tests and the write benchmark.
import type { AttributeInfo, SourceRecord, TableSchema } from "../dataverse/types";

const a = (logicalName: string, kind: AttributeInfo["kind"], extra: Partial<AttributeInfo> = {}): AttributeInfo => ({
  logicalName,
  kind,
  typeName: `${kind}Type`,
  isPrimaryId: false,
  isValidForRead: true,
  ...extra,
});

/** An account-like table with one attribute of every kind we map. */
export function accountSchema(logicalName = "account"): TableSchema {
  return {
    table: {
      logicalName,
      schemaName: "Account",
      entitySetName: "accounts",
      primaryIdAttribute: `${logicalName}id`,
      primaryNameAttribute: "name",
      displayName: "Account",
      changeTrackingEnabled: true,
      isIntersect: false,
    },
    attributes: [
      a(`${logicalName}id`, "Uniqueidentifier", { isPrimaryId: true }),
      a("name", "String", { maxLength: 20 }),
      a("description", "Memo", { maxLength: 2000 }),
      a("numberofemployees", "Integer"),
      a("bignumber", "BigInt"),
      a("donotemail", "Boolean"),
      a("createdon", "DateTime", { dateFormat: "DateAndTime" }),
      a("birthday", "DateTime", { dateFormat: "DateOnly" }),
      a("exchangerate", "Decimal", { precision: 6 }),
      a("latitude", "Double", { precision: 5 }),
      a("revenue", "Money", { precision: 2 }),
      a("industrycode", "Picklist", {
        optionSet: { name: "account_industrycode", isGlobal: false, options: [{ value: 1, label: "Accounting" }, { value: 2, label: "Agri'culture" }] },
      }),
      a("paymenttermscode", "Picklist", {
        optionSet: { name: "paymentterms", isGlobal: true, options: [{ value: 1, label: "Net 30" }] },
      }),
      a("statecode", "State", { optionSet: { name: "account_statecode", isGlobal: false, options: [{ value: 0, label: "Active" }, { value: 1, label: "Inactive" }] } }),
      a("statuscode", "Status", {
        optionSet: { name: "account_statuscode", isGlobal: false, options: [{ value: 1, label: "Active", state: 0 }, { value: 2, label: "Inactive", state: 1 }] },
      }),
      a("primarycontactid", "Lookup", { targets: ["contact"] }),
      a("ownerid", "Owner", { targets: ["systemuser", "team"] }),
      a("customerid", "Customer", { targets: ["account", "contact"] }),
      a("processid", "Uniqueidentifier"),
      a("categories", "MultiSelectPicklist", { optionSet: { name: "cats", isGlobal: false, options: [{ value: 7, label: "Seven" }] } }),
      a("owneridtype", "EntityName"),
      a("versionnumber", "BigInt"),
      a("entityimage", "Virtual", { isValidForRead: false }),
      a("hidden", "String", { isValidForRead: false, maxLength: 10 }),
    ],
  };
}

export function guid(n: number): string {
  const h = n.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${h}`;
}

/** A record filling every attribute of accountSchema. */
export function accountRecord(n: number, version: number | string, overrides: Record<string, unknown> = {}): SourceRecord {
  return {
    id: guid(n),
    version: String(version),
    values: {
      name: `Account ${n}`,
      description: `Description of account ${n}\nsecond line`,
      numberofemployees: n % 1000,
      bignumber: "9007199254740993",
      donotemail: n % 2 === 0,
      createdon: "2024-03-05T10:11:12Z",
      birthday: "1990-07-01",
      exchangerate: 1.234567,
      latitude: 47.6062,
      revenue: 1234.5,
      industrycode: 2,
      paymenttermscode: 1,
      statecode: 0,
      statuscode: 1,
      primarycontactid: { id: guid(100000 + n).toUpperCase(), entityType: "contact" },
      ownerid: { id: guid(200000 + (n % 10)), entityType: "systemuser" },
      customerid: null,
      processid: guid(300000 + n),
      categories: "1,7",
      owneridtype: "systemuser",
      ...(overrides as SourceRecord["values"]),
    },
  };
}
