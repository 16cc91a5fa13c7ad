// 1:N relationships: every lookup column of an emulated table has one per target table (customer
// and multi-table lookups one per target), as the service models them; N:N come from demo-org.
import type { AttrDef, ManyToManyDef } from "./demo-org.ts";
import { navigationProperty } from "./annotations.ts";
import type { Store } from "./store.ts";
import { isLookup } from "./wire.ts";

export interface OneToManyDef {
  schemaName: string;
  referencedEntity: string;
  referencedAttribute: string;
  referencingEntity: string;
  referencingAttribute: string;
  /** Single-valued navigation property on the referencing (many) side, as used in @odata.bind. */
  referencingNav: string;
  /** Collection-valued navigation property on the referenced (one) side. */
  referencedNav: string;
  custom: boolean;
}

/**
 * The service's names vary (account_primary_contact, owner_accounts, …); the emulator names them
 * `<referenced>_<referencing>_<lookup>` so they are unique and predictable.
 */
export function oneToManyRelationships(store: Store): OneToManyDef[] {
  const out: OneToManyDef[] = [];
  for (const t of store.tables.values()) {
    for (const a of t.attributes as AttrDef[]) {
      if (!isLookup(a) || a.attributeOf) continue;
      for (const target of a.targets ?? []) {
        const ref = store.table(target);
        // Targets that are not emulated (businessunit) have no table to relate to.
        if (!ref) continue;
        const schemaName = `${target}_${t.def.logicalName}_${a.name}`;
        out.push({
          schemaName, referencedEntity: target, referencedAttribute: ref.def.primaryId,
          referencingEntity: t.def.logicalName, referencingAttribute: a.name,
          referencingNav: navigationProperty(a, { id: "", type: target }), referencedNav: schemaName,
          custom: a.name.startsWith("cr0a1_"),
        });
      }
    }
  }
  return out;
}

export type { ManyToManyDef };
