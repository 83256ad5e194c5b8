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

interface StrippedGroup {
  coordinate: string;
  bank: string;
  grantId: string | null;
  reason: ConsentReason;
  count: number;
}

/**
 * Every consent decision of one request, as the rules make them: served fields one per path (their
 * paths are needed to strip them if the audit write fails), stripped ones counted per coordinate.
 */
export class DecisionLog {
  private readonly servedFields: ServedField[] = [];
  private readonly strippedGroups = new Map<string, StrippedGroup>();

  get served(): readonly ServedField[] {
    return this.servedFields;
  }

  get isEmpty(): boolean {
    return this.servedFields.length === 0 && this.strippedGroups.size === 0;
  }

  serve(field: ServedField): void {
    this.servedFields.push(field);
  }

  stripped(coordinate: string, bank: string, reason: ConsentReason, grantId: string | null = null): void {
    const key = `${coordinate}\u0000${bank}\u0000${grantId ?? ''}\u0000${reason}`;
    const group = this.strippedGroups.get(key);
    if (group) group.count += 1;
    else this.strippedGroups.set(key, { coordinate, bank, grantId, reason, count: 1 });
  }

  /** Turns the served fields matching `which` into stripped ones with `reason`; returns them. */
  takeBack(which: (field: ServedField) => boolean, reason: ConsentReason): RevokedServing[] {
    const taken: RevokedServing[] = [];
    for (let i = this.servedFields.length - 1; i >= 0; i--) {
      const field = this.servedFields[i]!;
      if (!which(field)) continue;
      this.servedFields.splice(i, 1);
      this.stripped(field.coordinate, field.consent.bank, reason, field.grantId);
      taken.unshift({ ...field, reason });
    }
    return taken;
  }

  /** The audit rows: one per coordinate, bank, grant and outcome, with its paths count. */
  records(meta: Pick<AuditRecord, 'at' | 'requestId' | 'userId' | 'operationName' | 'operationHash'>): AuditRecord[] {
    const served = new Map<string, AuditRecord>();
    for (const field of this.servedFields) {
      const key = `${field.coordinate}\u0000${field.consent.bank}\u0000${field.grantId}`;
      const row = served.get(key);
      if (row) row.pathsCount += 1;
      else served.set(key, { ...meta, bank: field.consent.bank, grantId: field.grantId, coordinate: field.coordinate, pathsCount: 1, outcome: 'served', reason: null });
    }
    const stripped = [...this.strippedGroups.values()].map((g): AuditRecord => ({
      ...meta, bank: g.bank, grantId: g.grantId, coordinate: g.coordinate, pathsCount: g.count, outcome: 'stripped', reason: g.reason,
    }));
    return [...served.values(), ...stripped];
  }
}
