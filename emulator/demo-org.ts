// The "Contoso (demo)" organization: table and attribute definitions, option sets and N:N
// relationships. Values are produced by each attribute's `gen`, called by record-gen.ts.
import type { AttributeKind } from "../lib/dataverse/types.ts";
import {
  bigPast53, chance, companyName, dateOnly, dateTime, exactDecimal, exactLength, firstName, guidFrom, int, lastName, money,
  phrase, pick, type ExactNumber, type Rng,
} from "./values.ts";

export interface LookupRef { id: string; type: string }
export type Value = string | number | boolean | null | LookupRef | ExactNumber;

export interface GenContext {
  /** A base record of `table`, picked by the stream (null when the table is empty). */
  ref(table: string, r: Rng): LookupRef | null;
  index: number;
}

export interface OptionDef { value: number; label: string; state?: number; defaultStatus?: number }
export interface OptionSetDef { name: string; isGlobal: boolean; type: "Picklist" | "State" | "Status"; options: OptionDef[] }

export interface AttrDef {
  name: string;
  kind: AttributeKind;
  /** AttributeTypeName.Value when it differs from `${kind}Type`. */
  typeName?: string;
  display: string;
  maxLength?: number;
  precision?: number;
  dateOnly?: boolean;
  targets?: string[];
  optionSet?: OptionSetDef;
  /** Set for the read-only "name" companions of lookups; the Web API cannot $select them. */
  attributeOf?: string;
  /** Values come from a stream per (row, attribute); this names another attribute's stream to share. */
  seedFrom?: string;
  gen?: (r: Rng, ctx: GenContext) => Value;
}

export interface TableDef {
  logicalName: string;
  schemaName: string;
  entitySetName: string;
  displayName: string;
  primaryId: string;
  primaryName?: string;
  changeTracking: boolean;
  isIntersect: boolean;
  objectTypeCode: number;
  /** Base row count for a given --records. */
  size(records: number): number;
  attributes: AttrDef[];
}

export interface ManyToManyDef {
  schemaName: string;
  entity1: string;
  entity2: string;
  intersect: string;
  entity1Attr: string;
  entity2Attr: string;
}

const opts = (labels: string[], start = 1): OptionDef[] => labels.map((label, i) => ({ value: start + i, label }));

export const GLOBAL_OPTION_SETS: OptionSetDef[] = [
  { name: "cr0a1_region", isGlobal: true, type: "Picklist", options: opts(["North", "South", "East", "West", "Central"], 100000000) },
  { name: "cr0a1_projecttag", isGlobal: true, type: "Picklist", options: opts(["Internal", "Billable", "Fixed price", "Strategic", "At risk"], 100000000) },
];
const [REGION, PROJECT_TAG] = GLOBAL_OPTION_SETS;

function localSet(name: string, labels: string[], start = 1): OptionSetDef {
  return { name, isGlobal: false, type: "Picklist", options: opts(labels, start) };
}

/** state/status pairs; each status names the state it belongs to, as StatusOptionMetadata does. */
function stateStatus(table: string, states: [string, number, [number, string][]][]): AttrDef[] {
  const state: OptionSetDef = {
    name: `${table}_statecode`, isGlobal: false, type: "State",
    options: states.map(([label, value, statuses]) => ({ value, label, defaultStatus: statuses[0][0] })),
  };
  const status: OptionSetDef = {
    name: `${table}_statuscode`, isGlobal: false, type: "Status",
    options: states.flatMap(([, value, statuses]) => statuses.map(([v, label]) => ({ value: v, label, state: value }))),
  };
  // statuscode replays statecode's stream (seedFrom) so the pair agrees even when only one is selected.
  const drawState = (r: Rng) => (r() < 0.85 ? states[0] : pick(r, states));
  return [
    { name: "statecode", kind: "State", display: "Status", optionSet: state, gen: (r) => drawState(r)[1] },
    { name: "statuscode", kind: "Status", display: "Status Reason", optionSet: status, seedFrom: "statecode", gen: (r) => pick(r, drawState(r)[2])[0] },
  ];
}
const ACTIVE_INACTIVE: [string, number, [number, string][]][] = [["Active", 0, [[1, "Active"]]], ["Inactive", 1, [[2, "Inactive"]]]];

const common = (table: string, states = ACTIVE_INACTIVE): AttrDef[] => [
  ...stateStatus(table, states),
  { name: "ownerid", kind: "Owner", display: "Owner", targets: ["systemuser", "team"], gen: (r, c) => (chance(r, 0.9) ? c.ref("systemuser", r) : c.ref("team", r)) },
  { name: "owneridname", kind: "String", display: "Owner name", maxLength: 100, attributeOf: "ownerid" },
  { name: "createdon", kind: "DateTime", display: "Created On", gen: (r) => dateTime(r) },
  { name: "modifiedon", kind: "DateTime", display: "Modified On", gen: (r) => dateTime(r, 2400) },
  { name: "versionnumber", kind: "BigInt", display: "Version Number" },
];

const big = (n: number) => n;
const half = (n: number) => Math.floor(n / 2);

export const TABLES: TableDef[] = [
  {
    logicalName: "account", schemaName: "Account", entitySetName: "accounts", displayName: "Account",
    primaryId: "accountid", primaryName: "name", changeTracking: true, isIntersect: false, objectTypeCode: 1, size: big,
    attributes: [
      { name: "accountid", kind: "Uniqueidentifier", display: "Account" },
      // Every 50th name is exactly MaxLength long: destinations must not truncate at the limit.
      { name: "name", kind: "String", display: "Account Name", maxLength: 160, gen: (r, c) => (c.index % 50 === 7 ? exactLength(companyName(r), 160) : companyName(r)) },
      { name: "accountnumber", kind: "String", display: "Account Number", maxLength: 20, gen: (r, c) => `ACC-${String(c.index).padStart(8, "0")}${c.index % 50 === 3 ? "-XXXXXXX" : ""}` },
      { name: "description", kind: "Memo", display: "Description", maxLength: 2000, gen: (r) => (chance(r, 0.3) ? phrase(r, int(r, 3, 30)) : null) },
      { name: "numberofemployees", kind: "Integer", display: "Number of Employees", gen: (r) => (chance(r, 0.9) ? int(r, 1, 250000) : null) },
      { name: "revenue", kind: "Money", display: "Annual Revenue", precision: 2, gen: (r) => money(r, 5e8) },
      { name: "exchangerate", kind: "Decimal", display: "Exchange Rate", precision: 10, gen: (r) => Math.round((0.5 + r()) * 1e6) / 1e6 },
      { name: "address1_latitude", kind: "Double", display: "Address 1: Latitude", precision: 5, gen: (r) => Math.round((r() * 180 - 90) * 1e5) / 1e5 },
      { name: "creditonhold", kind: "Boolean", display: "Credit Hold", gen: (r) => chance(r, 0.1) },
      { name: "industrycode", kind: "Picklist", display: "Industry", optionSet: localSet("account_industrycode", ["Accounting", "Agriculture", "Consulting", "Manufacturing", "Retail", "Software"]), gen: (r) => (chance(r, 0.8) ? int(r, 1, 6) : null) },
      { name: "cr0a1_region", kind: "Picklist", display: "Region", optionSet: REGION, gen: (r) => int(r, 100000000, 100000004) },
      { name: "cr0a1_interests", kind: "MultiSelectPicklist", typeName: "MultiSelectPicklistType", display: "Interests", optionSet: PROJECT_TAG, gen: (r) => (chance(r, 0.5) ? "100000000,100000003" : chance(r, 0.5) ? "100000001" : null) },
      { name: "primarycontactid", kind: "Lookup", display: "Primary Contact", targets: ["contact"], gen: (r, c) => (chance(r, 0.7) ? c.ref("contact", r) : null) },
      { name: "primarycontactidname", kind: "String", display: "Primary contact name", maxLength: 100, attributeOf: "primarycontactid" },
      { name: "parentaccountid", kind: "Lookup", display: "Parent Account", targets: ["account"], gen: (r, c) => (chance(r, 0.2) ? c.ref("account", r) : null) },
      { name: "cr0a1_healthscore", kind: "Virtual", typeName: "VirtualType", display: "Health score (calculated)" },
      ...common("account"),
    ],
  },
  {
    logicalName: "contact", schemaName: "Contact", entitySetName: "contacts", displayName: "Contact",
    primaryId: "contactid", primaryName: "fullname", changeTracking: true, isIntersect: false, objectTypeCode: 2, size: big,
    attributes: [
      { name: "contactid", kind: "Uniqueidentifier", display: "Contact" },
      { name: "firstname", kind: "String", display: "First Name", maxLength: 50, gen: (r) => firstName(r) },
      { name: "lastname", kind: "String", display: "Last Name", maxLength: 50, gen: (r, c) => (c.index % 40 === 5 ? exactLength(lastName(r), 50) : lastName(r)) },
      { name: "fullname", kind: "String", display: "Full Name", maxLength: 160, gen: (r, c) => `Contact ${c.index}` },
      { name: "emailaddress1", kind: "String", display: "Email", maxLength: 100, gen: (r, c) => `contact${c.index}@contoso.example` },
      { name: "birthdate", kind: "DateTime", display: "Birthday", dateOnly: true, gen: (r) => (chance(r, 0.6) ? dateOnly(r) : null) },
      { name: "creditlimit", kind: "Money", display: "Credit Limit", precision: 2, gen: (r) => (chance(r, 0.5) ? money(r, 1e5) : null) },
      { name: "gendercode", kind: "Picklist", display: "Gender", optionSet: localSet("contact_gendercode", ["Male", "Female", "Other"]), gen: (r) => (chance(r, 0.6) ? int(r, 1, 3) : null) },
      { name: "cr0a1_region", kind: "Picklist", display: "Region", optionSet: REGION, gen: (r) => int(r, 100000000, 100000004) },
      { name: "parentcustomerid", kind: "Customer", display: "Company Name", targets: ["account", "contact"], gen: (r, c) => (chance(r, 0.8) ? c.ref("account", r) : chance(r, 0.5) ? c.ref("contact", r) : null) },
      { name: "description", kind: "Memo", display: "Description", maxLength: 2000, gen: (r) => (chance(r, 0.2) ? phrase(r, 12) : null) },
      ...common("contact"),
    ],
  },
  {
    logicalName: "lead", schemaName: "Lead", entitySetName: "leads", displayName: "Lead",
    primaryId: "leadid", primaryName: "subject", changeTracking: true, isIntersect: false, objectTypeCode: 4, size: half,
    attributes: [
      { name: "leadid", kind: "Uniqueidentifier", display: "Lead" },
      { name: "subject", kind: "String", display: "Topic", maxLength: 300, gen: (r) => `Interested in ${phrase(r, 2)}` },
      { name: "firstname", kind: "String", display: "First Name", maxLength: 50, gen: (r) => firstName(r) },
      { name: "lastname", kind: "String", display: "Last Name", maxLength: 50, gen: (r) => lastName(r) },
      { name: "companyname", kind: "String", display: "Company Name", maxLength: 100, gen: (r) => companyName(r) },
      { name: "estimatedamount", kind: "Money", display: "Est. Value", precision: 2, gen: (r) => money(r, 250000) },
      { name: "leadqualitycode", kind: "Picklist", display: "Rating", optionSet: localSet("lead_leadqualitycode", ["Hot", "Warm", "Cold"]), gen: (r) => int(r, 1, 3) },
      { name: "parentaccountid", kind: "Lookup", display: "Parent Account for lead", targets: ["account"], gen: (r, c) => (chance(r, 0.4) ? c.ref("account", r) : null) },
      ...common("lead", [["Open", 0, [[1, "New"], [2, "Contacted"]]], ["Qualified", 1, [[3, "Qualified"]]], ["Disqualified", 2, [[4, "Lost"], [5, "Cannot Contact"]]]]),
    ],
  },
  {
    logicalName: "opportunity", schemaName: "Opportunity", entitySetName: "opportunities", displayName: "Opportunity",
    primaryId: "opportunityid", primaryName: "name", changeTracking: true, isIntersect: false, objectTypeCode: 3, size: half,
    attributes: [
      { name: "opportunityid", kind: "Uniqueidentifier", display: "Opportunity" },
      { name: "name", kind: "String", display: "Topic", maxLength: 300, gen: (r) => `${phrase(r, 1)} deal` },
      { name: "estimatedvalue", kind: "Money", display: "Est. Revenue", precision: 2, gen: (r) => money(r, 1e6) },
      { name: "closeprobability", kind: "Integer", display: "Probability", gen: (r) => int(r, 0, 100) },
      { name: "estimatedclosedate", kind: "DateTime", display: "Est. Close Date", dateOnly: true, gen: (r) => dateOnly(r, 2024, 3) },
      { name: "customerid", kind: "Customer", display: "Potential Customer", targets: ["account", "contact"], gen: (r, c) => (chance(r, 0.7) ? c.ref("account", r) : c.ref("contact", r)) },
      { name: "parentaccountid", kind: "Lookup", display: "Account", targets: ["account"], gen: (r, c) => c.ref("account", r) },
      ...common("opportunity", [["Open", 0, [[1, "In Progress"], [2, "On Hold"]]], ["Won", 1, [[3, "Won"]]], ["Lost", 2, [[4, "Canceled"], [5, "Out-Sold"]]]]),
    ],
  },
  {
    logicalName: "systemuser", schemaName: "SystemUser", entitySetName: "systemusers", displayName: "User",
    primaryId: "systemuserid", primaryName: "fullname", changeTracking: true, isIntersect: false, objectTypeCode: 8, size: () => 25,
    attributes: [
      { name: "systemuserid", kind: "Uniqueidentifier", display: "User" },
      { name: "fullname", kind: "String", display: "Full Name", maxLength: 200, gen: (r) => `${firstName(r)} ${lastName(r)}` },
      { name: "domainname", kind: "String", display: "User Name", maxLength: 1024, gen: (r, c) => `user${c.index}@contoso.example` },
      { name: "isdisabled", kind: "Boolean", display: "Status", gen: (r) => chance(r, 0.1) },
      { name: "businessunitid", kind: "Lookup", display: "Business Unit", targets: ["businessunit"], gen: () => ({ id: BUSINESS_UNIT_ID, type: "businessunit" }) },
      { name: "createdon", kind: "DateTime", display: "Created On", gen: (r) => dateTime(r) },
      { name: "modifiedon", kind: "DateTime", display: "Modified On", gen: (r) => dateTime(r, 2400) },
      { name: "versionnumber", kind: "BigInt", display: "Version Number" },
    ],
  },
  {
    logicalName: "team", schemaName: "Team", entitySetName: "teams", displayName: "Team",
    primaryId: "teamid", primaryName: "name", changeTracking: true, isIntersect: false, objectTypeCode: 9, size: () => 6,
    attributes: [
      { name: "teamid", kind: "Uniqueidentifier", display: "Team" },
      { name: "name", kind: "String", display: "Team Name", maxLength: 160, gen: (r, c) => `${companyName(r)} team ${c.index}` },
      { name: "teamtype", kind: "Picklist", display: "Team Type", optionSet: localSet("team_teamtype", ["Owner", "Access", "Security Group", "Office Group"], 0), gen: (r) => int(r, 0, 3) },
      { name: "businessunitid", kind: "Lookup", display: "Business Unit", targets: ["businessunit"], gen: () => ({ id: BUSINESS_UNIT_ID, type: "businessunit" }) },
      { name: "createdon", kind: "DateTime", display: "Created On", gen: (r) => dateTime(r) },
      { name: "modifiedon", kind: "DateTime", display: "Modified On", gen: (r) => dateTime(r, 2400) },
      { name: "versionnumber", kind: "BigInt", display: "Version Number" },
    ],
  },
  {
    logicalName: "cr0a1_project", schemaName: "cr0a1_Project", entitySetName: "cr0a1_projects", displayName: "Project",
    primaryId: "cr0a1_projectid", primaryName: "cr0a1_name", changeTracking: true, isIntersect: false, objectTypeCode: 10234,
    size: (n) => Math.max(20, Math.floor(n / 20)),
    attributes: [
      { name: "cr0a1_projectid", kind: "Uniqueidentifier", display: "Project" },
      { name: "cr0a1_name", kind: "String", display: "Name", maxLength: 100, gen: (r, c) => (c.index % 10 === 1 ? exactLength(`Project ${c.index}`, 100) : `Project ${c.index} ${phrase(r, 1)}`) },
      { name: "cr0a1_budget", kind: "Money", display: "Budget", precision: 2, gen: (r) => money(r, 2e6) },
      { name: "cr0a1_hours", kind: "Double", display: "Hours", precision: 2, gen: (r) => Math.round(r() * 1e6) / 100 },
      { name: "cr0a1_margin", kind: "Decimal", display: "Margin", precision: 4, gen: (r) => Math.round(r() * 1e4) / 1e4 },
      { name: "cr0a1_ticketcount", kind: "BigInt", display: "Ticket count", gen: (r) => int(r, 0, 9_000_000) * 1000 + int(r, 0, 999) },
      { name: "cr0a1_externalkey", kind: "Uniqueidentifier", display: "External key", gen: (r) => guidFrom(r) },
      { name: "cr0a1_startdate", kind: "DateTime", display: "Start date", dateOnly: true, gen: (r) => dateOnly(r, 2022, 4) },
      { name: "cr0a1_isbillable", kind: "Boolean", display: "Billable", gen: (r) => chance(r, 0.6) },
      { name: "cr0a1_notes", kind: "Memo", display: "Notes", maxLength: 4000, gen: (r) => (chance(r, 0.5) ? phrase(r, int(r, 5, 60)) : null) },
      { name: "cr0a1_region", kind: "Picklist", display: "Region", optionSet: REGION, gen: (r) => int(r, 100000000, 100000004) },
      { name: "cr0a1_tags", kind: "MultiSelectPicklist", typeName: "MultiSelectPicklistType", display: "Tags", optionSet: PROJECT_TAG, gen: (r) => (chance(r, 0.3) ? null : `${int(r, 100000000, 100000001)},${int(r, 100000002, 100000004)}`) },
      { name: "cr0a1_accountid", kind: "Lookup", display: "Account", targets: ["account"], gen: (r, c) => c.ref("account", r) },
      // Values a double cannot hold: 21 significant digits (Decimal), 19 (Money), past 2^53 (BigInt).
      { name: "cr0a1_exactrate", kind: "Decimal", display: "Exact rate", precision: 10, gen: (r) => exactDecimal(r, 11, 10) },
      { name: "cr0a1_largeamount", kind: "Money", display: "Large amount", precision: 4, gen: (r) => exactDecimal(r, 15, 4) },
      { name: "cr0a1_largecounter", kind: "BigInt", display: "Large counter", gen: (r) => bigPast53(r) },
      { name: "cr0a1_summary", kind: "Virtual", typeName: "VirtualType", display: "Summary (virtual)" },
      ...common("cr0a1_project"),
    ],
  },
  {
    // Not change-tracked, like activitypointer in real organizations: DES could not export it either.
    logicalName: "activitypointer", schemaName: "ActivityPointer", entitySetName: "activitypointers", displayName: "Activity",
    primaryId: "activityid", primaryName: "subject", changeTracking: false, isIntersect: false, objectTypeCode: 4200,
    size: (n) => Math.floor(n / 4),
    attributes: [
      { name: "activityid", kind: "Uniqueidentifier", display: "Activity" },
      { name: "subject", kind: "String", display: "Subject", maxLength: 400, gen: (r) => `Follow up on ${phrase(r, 2)}` },
      { name: "activitytypecode", kind: "EntityName", display: "Activity Type", gen: (r) => pick(r, ["task", "phonecall", "email", "appointment"]) },
      { name: "scheduledend", kind: "DateTime", display: "Due Date", gen: (r) => dateTime(r) },
      { name: "regardingobjectid", kind: "Lookup", display: "Regarding", targets: ["account", "contact", "opportunity"], gen: (r, c) => c.ref(pick(r, ["account", "contact", "opportunity"]), r) },
      ...common("activitypointer", [["Open", 0, [[1, "Open"]]], ["Completed", 1, [[2, "Completed"]]], ["Canceled", 2, [[3, "Canceled"]]]]),
    ],
  },
  {
    // N:N intersect table, exported like any change-tracked table.
    logicalName: "accountleads", schemaName: "AccountLeads", entitySetName: "accountleadscollection", displayName: "accountleads",
    primaryId: "accountleadid", changeTracking: true, isIntersect: true, objectTypeCode: 16,
    size: (n) => Math.floor(n / 4),
    attributes: [
      { name: "accountleadid", kind: "Uniqueidentifier", display: "accountleadid" },
      { name: "accountid", kind: "Uniqueidentifier", display: "accountid" },
      { name: "leadid", kind: "Uniqueidentifier", display: "leadid" },
      { name: "versionnumber", kind: "BigInt", display: "versionnumber" },
    ],
  },
];

export const MANY_TO_MANY: ManyToManyDef[] = [
  { schemaName: "accountleads_association", entity1: "account", entity2: "lead", intersect: "accountleads", entity1Attr: "accountid", entity2Attr: "leadid" },
];

export const ORGANIZATION = {
  name: "Contoso (demo)",
  organizationId: "7d3f0a1e-5c2b-4a9e-9f10-0c0ffee0d001",
  version: "9.2.25013.00159",
};
export const BUSINESS_UNIT_ID = "7d3f0a1e-5c2b-4a9e-9f10-0c0ffee0b001";

export function tableByName(name: string): TableDef | undefined {
  return TABLES.find((t) => t.logicalName === name);
}
export function tableBySet(set: string): TableDef | undefined {
  return TABLES.find((t) => t.entitySetName === set);
}
