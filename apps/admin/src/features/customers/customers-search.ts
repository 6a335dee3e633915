import {
  CUSTOMER_SEGMENTS,
  CUSTOMER_STATUSES,
  CUSTOMER_TYPES,
  type CustomerSegment,
  type CustomerStatus,
  type CustomerType,
} from "@clientele/domain/customer-types";

/** The customers list's state in the URL (so a filtered list can be bookmarked and shared). */
export type CustomersSearch = {
  q?: string;
  type?: CustomerType[];
  segment?: CustomerSegment[];
  status?: CustomerStatus[];
  /** Customers having every one of these tags. */
  tags?: string[];
  /** e.g. "companyName:asc,createdAt:desc" (the API's sort syntax). */
  sort?: string;
  page?: number;
  pageSize?: 20 | 50 | 100;
};

// Hand-written rather than zod, which would otherwise be in the initial bundle (the create form loads it).
const listOf = <T extends string>(allowed: readonly T[], value: unknown): T[] | undefined => {
  const values = (Array.isArray(value) ? value : [value]).filter((v): v is T => (allowed as readonly unknown[]).includes(v));
  return values.length ? values : undefined;
};
const shortText = (value: unknown): string | undefined => (typeof value === "string" && value && value.length <= 200 ? value : undefined);
// The API normalizes and checks each tag's content; the URL only keeps it to the API's sizes (20 tags of 60).
const tagList = (value: unknown): string[] | undefined => {
  const tags = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v.trim() !== "" && v.length <= 60).slice(0, 20);
  return tags.length ? tags : undefined;
};

/** Reads the URL's search params; a value out of range or unknown is dropped (the default applies). */
export function parseCustomersSearch(search: Record<string, unknown>): CustomersSearch {
  const page = typeof search.page === "number" && Number.isInteger(search.page) && search.page >= 1 && search.page <= 100_000 ? search.page : undefined;
  const pageSize = search.pageSize === 20 || search.pageSize === 50 || search.pageSize === 100 ? search.pageSize : undefined;
  const out: CustomersSearch = {
    q: shortText(search.q),
    type: listOf(CUSTOMER_TYPES, search.type),
    segment: listOf(CUSTOMER_SEGMENTS, search.segment),
    status: listOf(CUSTOMER_STATUSES, search.status),
    tags: tagList(search.tags),
    sort: shortText(search.sort),
    page,
    pageSize,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as CustomersSearch;
}

export type SortEntry = { field: string; desc: boolean };

export const parseSort = (sort: string | undefined): SortEntry[] =>
  (sort ?? "")
    .split(",")
    .filter(Boolean)
    .map((s) => {
      const [field = "", dir] = s.split(":");
      return { field, desc: dir === "desc" };
    });

export const formatSort = (entries: SortEntry[]): string | undefined =>
  entries.length ? entries.map((e) => `${e.field}:${e.desc ? "desc" : "asc"}`).join(",") : undefined;

/**
 * A click on a column header sorts by it alone (asc, then desc, then unsorted); with Shift it is
 * added to or cycled within the current multi-column sort.
 */
export function toggleSort(entries: SortEntry[], field: string, multi: boolean): SortEntry[] {
  const current = entries.find((e) => e.field === field);
  const next: SortEntry | null = !current ? { field, desc: false } : !current.desc ? { field, desc: true } : null;
  if (!multi) return next ? [next] : [];
  const others = entries.filter((e) => e.field !== field);
  if (!next) return others;
  return current ? entries.map((e) => (e.field === field ? next : e)) : [...entries, next];
}
