import { createHash } from "node:crypto";
import {
  combineScores,
  estimateMatchCount,
  nameScorer,
  nameWords,
  phoneDigits,
  phoneQueryGrams,
  phoneScore,
  validationError,
  wordKeys,
  type Actor,
} from "@clientele/domain";
import {
  filterCustomers,
  findCustomersByIds,
  searchCandidates,
  withTagsAndActivity,
  type AdvancedSearchFilters,
  type AdvancedSort,
  type AdvancedSortField,
} from "@clientele/db";
import { CACHE_TTL, cacheKeys } from "@clientele/cache";
import type { AppDeps } from "../../deps";
import type { TAdvancedSearchInput, TAdvancedSearchOutput } from "./customer-search.schemas";
import { tagFilter, toDto } from "./customer.use-cases";

/**
 * How many candidates a name or phone search scores: the best key matches (or the first in the
 * requested order). Enough for any page a person reads; beyond them `totalCount` is an estimate.
 */
export const MAX_CANDIDATES = 2000;

/** POST /customers/search: cached per tenant like the word search, retired by every customer write. */
export async function advancedSearch(deps: AppDeps, actor: Actor, input: TAdvancedSearchInput): Promise<TAdvancedSearchOutput> {
  // Interactions move lastActivityAt without retiring the tenant's searches: such a filter is never cached.
  if (input.lastActivityAt) return runAdvancedSearch(deps, actor, input);
  const hash = createHash("sha1").update(JSON.stringify(["advanced", input])).digest("base64url");
  return deps.cache.throughGeneration(
    cacheKeys.searchGeneration(actor.tenantId),
    (generation) => cacheKeys.search(actor.tenantId, generation, hash),
    CACHE_TTL.search,
    () => runAdvancedSearch(deps, actor, input),
  );
}

type NameCriterion = { words: string[]; of: (c: NameWords) => string[] };
type NameWords = { first: string[]; last: string[]; company: string[] };

/**
 * The name criteria given; a name that folds to no searchable word (only one-letter words or
 * punctuation) is a 400 naming its field, never silently dropped into an unfiltered list.
 */
function nameCriteria(input: TAdvancedSearchInput): NameCriterion[] {
  const criteria = [
    { field: "name", text: input.name, of: (c: NameWords) => [...c.first, ...c.last, ...c.company] },
    { field: "firstName", text: input.firstName, of: (c: NameWords) => c.first },
    { field: "lastName", text: input.lastName, of: (c: NameWords) => c.last },
    { field: "companyName", text: input.companyName, of: (c: NameWords) => c.company },
  ]
    .filter((c) => c.text?.trim())
    .map((c) => ({ ...c, words: nameWords(c.text) }));
  const wordless = criteria.filter((c) => c.words.length === 0);
  if (wordless.length) throw validationError(Object.fromEntries(wordless.map((c) => [c.field, ["needs a word of at least 2 letters"]])));
  return criteria.map(({ words, of }) => ({ words, of }));
}

function filtersOf(input: TAdvancedSearchInput): AdvancedSearchFilters {
  const tags = tagFilter(input.tags);
  return {
    ...(input.status ? { statuses: input.status } : {}),
    ...(input.type ? { types: input.type } : {}),
    ...(input.segment ? { segments: input.segment } : {}),
    ...(input.email?.trim() ? { email: input.email.trim().toLowerCase() } : {}),
    ...(tags ? { tags } : {}),
    ...(input.createdAt?.from ? { createdFrom: input.createdAt.from } : {}),
    ...(input.createdAt?.to ? { createdTo: input.createdAt.to } : {}),
    ...(input.lastActivityAt?.from ? { lastActivityFrom: input.lastActivityAt.from } : {}),
    ...(input.lastActivityAt?.to ? { lastActivityTo: input.lastActivityAt.to } : {}),
  };
}

function sortOf(input: TAdvancedSearchInput, textual: boolean): { relevance: boolean; fields: AdvancedSort } {
  const keys = input.sort ?? (textual ? ["relevance"] : ["companyName:asc"]);
  const relevance = keys[0] === "relevance";
  if (relevance && !textual) throw validationError({ sort: ["relevance needs a name or phone to rank by"] });
  const fields = keys
    .filter((k) => k !== "relevance")
    .map((k) => {
      const [field, direction] = k.split(":") as [AdvancedSortField, "asc" | "desc" | undefined];
      return { field, direction: direction ?? "asc" };
    });
  return { relevance, fields };
}

const page = <T>(items: T[], input: TAdvancedSearchInput) => items.slice((input.page - 1) * input.pageSize, input.page * input.pageSize);

async function runAdvancedSearch(deps: AppDeps, actor: Actor, input: TAdvancedSearchInput): Promise<TAdvancedSearchOutput> {
  const names = nameCriteria(input);
  const digits = input.phone ? phoneDigits(input.phone) : "";
  const textual = names.length > 0 || digits.length > 0;
  const filters = filtersOf(input);
  const sort = sortOf(input, textual);
  const result = (items: TAdvancedSearchOutput["items"], totalCount: number) => ({
    items,
    totalCount,
    page: input.page,
    pageSize: input.pageSize,
    totalPages: Math.ceil(totalCount / input.pageSize),
  });

  if (!textual) {
    const { items, totalCount } = await filterCustomers(deps.db, actor.tenantId, filters, sort.fields, {
      limit: input.pageSize,
      offset: (input.page - 1) * input.pageSize,
    });
    const full = await withTagsAndActivity(deps.db, actor.tenantId, items);
    return result(full.map((c) => ({ ...toDto(c), score: null })), totalCount);
  }

  const queryWords = [...new Set(names.flatMap((n) => n.words))];
  const { candidates, filtered, keyMatches } = await searchCandidates(deps.db, actor.tenantId, {
    nameWordKeys: queryWords.map(wordKeys),
    phoneGrams: digits ? phoneQueryGrams(digits) : [],
    filters,
    // Relevance takes the best key matches and ranks them in process; a field sort is SQL's.
    bestFirst: sort.relevance,
    sort: sort.fields,
    limit: MAX_CANDIDATES,
  });

  // Keys find candidates generously; a candidate matches when every criterion scores.
  const scorers = names.map((n) => ({ of: n.of, score: nameScorer(n.words) }));
  const scored = candidates.flatMap((c) => {
    const words: NameWords = { first: nameWords(c.firstName), last: nameWords(c.lastName), company: nameWords(c.companyName) };
    const scores: (number | null)[] = scorers.map((n) => n.score(n.of(words)));
    if (digits) scores.push(phoneScore(digits, [c.primaryPhone, c.secondaryPhone]));
    if (scores.some((s) => s === null)) return [];
    return [{ id: c.id, score: combineScores(scores)! }];
  });
  // SQL's order (best keys, then the tie-breaking fields) stays among equal scores: the sort is stable.
  if (sort.relevance) scored.sort((a, b) => b.score - a.score);
  const totalCount = estimateMatchCount({ matched: scored.length, scored: candidates.length, filtered, keyMatches, limit: MAX_CANDIDATES });
  const shown = page(scored, input);
  const customers = await withTagsAndActivity(deps.db, actor.tenantId, await findCustomersByIds(deps.db, actor.tenantId, shown.map((s) => s.id)));
  const byId = new Map(customers.map((c) => [c.id, c]));
  return result(
    shown.flatMap((s) => {
      const c = byId.get(s.id);
      return c ? [{ ...toDto(c), score: s.score }] : [];
    }),
    totalCount,
  );
}
