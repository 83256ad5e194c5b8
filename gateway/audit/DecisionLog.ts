import type { ConsentErrorExtension, ConsentReason } from '../errors';
import type { AuditRecord } from './types';

/** A response path as a linked list, leaf first (graphql-js's `info.path` has this shape). */
export interface ResponsePath {
  readonly prev: ResponsePath | undefined;
  readonly key: string | number;
}

/** The path as an array (aliases, list indexes), as in the response's `data`. */
export function pathToArray(path: ResponsePath | undefined): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev) keys.push(p.key);
  return keys.reverse();
}

/** A guarded field the consent rule let through, at one response path. */
export interface ServedField {
  /** Response path, kept as a linked list: it is only turned into an array if the field is taken back. */
  path: ResponsePath;
  coordinate: string;
  /** What the error says if the field has to be stripped after all (bank, scopes, account). */
  consent: Omit<ConsentErrorExtension, 'reason'>;
  grantId: string;
  /** True when the grant is good for one retrieval: it must be consumed before the response leaves. */
  oneTime: boolean;
}

/** A served field taken back before the response left (audit or one-time use could not be recorded). */
export interface RevokedServing extends ServedField {
  reason: ConsentReason;
}

/** Stripped paths of one coordinate under one stripped outcome (whose extension names the bank and reason). */
interface StrippedGroup {
  coordinate: string;
  grantId: string | null;
  count: number;
}

/** A stripped outcome as the log takes it: its error extension (one object per decision and reason) and grant. */
export interface StrippedDecision {
  consent: ConsentErrorExtension;
  grantId: string | null;
}

/**
 * Served fields of one coordinate under one decision (bank, scopes, account, hence one grant): their paths,
 * as each one's parent path and key side by side. The walk makes no path object for a served field; one
 * is made only if the field is taken back.
 */
interface ServedGroup {
  coordinate: string;
  consent: Omit<ConsentErrorExtension, 'reason'>;
  grantId: string;
  oneTime: boolean;
  parents: (ResponsePath | undefined)[];
  keys: (string | number)[];
}

/**
 * Every consent decision of one request, as the rules make them: served fields grouped by decision and
 * coordinate with one path each (the paths are needed to strip them if the audit write fails), stripped
 * ones counted per decision and coordinate. Grouping is by identity (a decision's error extension is one
 * object, and one decision has one grant), so recording a field costs no key string: it runs for every
 * guarded field of every object.
 */
export class DecisionLog {
  private readonly servedGroups = new Map<object, Map<string, ServedGroup>>();
  private readonly strippedGroups = new Map<ConsentErrorExtension, Map<string, StrippedGroup>>();

  get isEmpty(): boolean {
    return this.servedGroups.size === 0 && this.strippedGroups.size === 0;
  }

  /** The one-time grants that served something in this request. */
  oneTimeGrants(): string[] {
    const ids = new Set<string>();
    for (const byCoordinate of this.servedGroups.values()) for (const group of byCoordinate.values()) if (group.oneTime) ids.add(group.grantId);
    return [...ids];
  }

  /**
   * Records a served field at `parent` + `key` under `decision` (bank, scopes, account, grant), which must
   * be the same object (consent extension included) for every field the same decision serves.
   */
  serve(parent: ResponsePath | undefined, key: string | number, coordinate: string, decision: Omit<ServedField, 'path' | 'coordinate'>): void {
    let byCoordinate = this.servedGroups.get(decision.consent);
    if (!byCoordinate) this.servedGroups.set(decision.consent, (byCoordinate = new Map()));
    const group = byCoordinate.get(coordinate);
    if (group) {
      group.parents.push(parent);
      group.keys.push(key);
    } else {
      byCoordinate.set(coordinate, { coordinate, consent: decision.consent, grantId: decision.grantId, oneTime: decision.oneTime, parents: [parent], keys: [key] });
    }
  }

  /** Records `count` stripped paths of `coordinate` under `decision` (bank, reason, grant from it). */
  stripped(coordinate: string, decision: StrippedDecision, count = 1): void {
    let byCoordinate = this.strippedGroups.get(decision.consent);
    if (!byCoordinate) this.strippedGroups.set(decision.consent, (byCoordinate = new Map()));
    const group = byCoordinate.get(coordinate);
    if (group) group.count += count;
    else byCoordinate.set(coordinate, { coordinate, grantId: decision.grantId, count });
  }

  /** Turns the served fields matching `which` into stripped ones with `reason`; returns them, one per path. */
  takeBack(which: (field: Omit<ServedField, 'path'>) => boolean, reason: ConsentReason): RevokedServing[] {
    const taken: RevokedServing[] = [];
    for (const [decision, byCoordinate] of this.servedGroups) {
      for (const [coordinate, group] of byCoordinate) {
        if (!which(group)) continue;
        byCoordinate.delete(coordinate);
        this.stripped(coordinate, { consent: { ...group.consent, reason }, grantId: group.grantId }, group.keys.length);
        for (let i = 0; i < group.keys.length; i++) {
          taken.push({ path: { prev: group.parents[i], key: group.keys[i]! }, coordinate, consent: group.consent, grantId: group.grantId, oneTime: group.oneTime, reason });
        }
      }
      if (byCoordinate.size === 0) this.servedGroups.delete(decision);
    }
    return taken;
  }

  /** The audit rows: one per bank, grant and outcome (with reason), each listing its coordinates and paths counts. */
  records(meta: Pick<AuditRecord, 'at' | 'requestId' | 'userId' | 'operationName' | 'operationHash'>): AuditRecord[] {
    const rows: AuditRecord[] = [];
    // bank -> grant ('' for none) -> reason ('' when served) -> row; looked up once per decision, not per field.
    const index = new Map<string, Map<string, Map<string, AuditRecord>>>();
    const rowFor = (bank: string, grantId: string | null, reason: ConsentReason | null): AuditRecord => {
      let byGrant = index.get(bank);
      if (!byGrant) index.set(bank, (byGrant = new Map()));
      let byReason = byGrant.get(grantId ?? '');
      if (!byReason) byGrant.set(grantId ?? '', (byReason = new Map()));
      let row = byReason.get(reason ?? '');
      if (!row) {
        // Field by field, not `{ ...meta, bank, ... }`: on Node 20's V8 each property a literal adds after a
        // spread costs ~1 µs (~10 µs for this row; this function was 1.4% of A's CPU on w1 in the profile).
        row = {
          at: meta.at, requestId: meta.requestId, userId: meta.userId, operationName: meta.operationName, operationHash: meta.operationHash,
          bank, grantId, outcome: reason === null ? 'served' : 'stripped', reason, coordinates: [], pathsCounts: [],
        };
        byReason.set(reason ?? '', row);
        rows.push(row);
      }
      return row;
    };
    // Several decisions (accounts) of one bank may share a coordinate and grant: counted together.
    const add = (row: AuditRecord, coordinate: string, count: number) => {
      const at = row.coordinates.indexOf(coordinate);
      if (at >= 0) row.pathsCounts[at] += count;
      else {
        row.coordinates.push(coordinate);
        row.pathsCounts.push(count);
      }
    };
    for (const byCoordinate of this.servedGroups.values()) {
      let row: AuditRecord | undefined;
      for (const group of byCoordinate.values()) add((row ??= rowFor(group.consent.bank, group.grantId, null)), group.coordinate, group.keys.length);
    }
    for (const [consent, byCoordinate] of this.strippedGroups) {
      let row: AuditRecord | undefined;
      for (const group of byCoordinate.values()) add((row ??= rowFor(consent.bank, group.grantId, consent.reason)), group.coordinate, group.count);
    }
    return rows;
  }
}
