import type { ScenarioGroup } from "./args";
import { phoneDigitForms } from "@clientele/domain";
import { BRANDS, createBody, createRng, FIRST_NAMES, LAST_NAMES, NOUNS, party, SEARCH_WORDS, type Rng } from "./customer-data";
import type { LoadSpec, NextRequest } from "./run-load";

const HOT_SET = 1_000;
export const GET_RATE = 1_000;
// A busy CRM: twenty searches a second across the tenant's users.
export const SEARCH_RATE = 20;
export const CREATE_RATE = 200;
// A search holds two of the API's 20 pool connections (items and count) for a long time, so
// more clients only queue inside the API and end in timeouts.
const SEARCH_CONNECTIONS = 16;

export type Scenario = {
  name: string;
  group: ScenarioGroup;
  spec: Pick<LoadSpec, "url" | "headers" | "rate" | "next"> & { connections?: number };
  /** Runs just before the scenario (cache preparation). */
  before?: () => Promise<void>;
  /** What the reader must know about this run, computed after it. */
  note?: () => string | undefined;
};

const fmt = (n: number) => n.toLocaleString("en-US");

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

type Hooks = {
  /** Makes sure every hot id is in the API's cache. */
  primeHotSet: (hot: string[]) => Promise<void>;
  /** Makes every cached search of the tenant unreachable. */
  retireSearches: () => Promise<void>;
  /** Deletes the tenant's cached customers (before a repeated run's uncached reads). */
  clearCustomers: () => Promise<void>;
};

/**
 * The scenarios in run order (the bench may run the list several times, `--runs`). `ids` are the
 * live customers; up to HOT_SET of them (a tenth of a small data set) are the cached scenario's
 * hot set, the rest feed the uncached reads. Each API scenario that has a bare counterpart is
 * followed by it, run the same way ("baseline …").
 */
export function buildScenarios(o: {
  ids: string[];
  apiUrl: string;
  baselineUrl: string;
  auth: Record<string, string>;
  only: ScenarioGroup[];
  connections: number;
  hooks: Hooks;
}): Scenario[] {
  const ids = shuffle([...o.ids]);
  const hotSize = Math.min(HOT_SET, Math.ceil(ids.length / 10));
  const hot = ids.slice(0, hotSize);
  const api = { url: o.apiUrl, headers: o.auth };
  const get = (id: string): ReturnType<NextRequest> => ({ method: "GET", path: `/api/v1/customers/${id}` });
  const scenarios: Scenario[] = [];

  const baseline = { url: o.baselineUrl, headers: {} };

  if (o.only.includes("get")) {
    // Uncached reads take ids no API request has read in this run (the tenant's cached customers
    // are removed first), so each is a Redis miss and then a MySQL read: the real miss path, not
    // an API started with the cache off. The baseline walks the list from the other end, so both
    // read rows that are equally cold in InnoDB.
    let fresh = hotSize;
    let wrapped = false;
    let repeats = 0;
    const nextFresh = () => {
      if (fresh >= ids.length) {
        fresh = hotSize;
        wrapped = true;
      }
      if (wrapped) repeats++;
      return get(ids[fresh++]!);
    };
    const repeatNote = () => {
      const r = repeats;
      repeats = 0;
      return r > 0 ? `${fmt(r)} requests re-read an id (only ${fmt(ids.length - hotSize)} available): those were cache hits; seed more customers` : undefined;
    };
    let back = ids.length - 1;
    const nextBaseline = (): ReturnType<NextRequest> => {
      if (back < hotSize) back = ids.length - 1;
      return { method: "GET", path: `/customers/${ids[back--]!}` };
    };
    const nextHot = () => get(hot[Math.floor(Math.random() * hot.length)]!);
    // A repeated run reads the same ids in the same order as the first, from an empty cache again
    // (the first run starts from the one the bench emptied).
    const restart = async () => {
      if (fresh === hotSize && !wrapped) return;
      await o.hooks.clearCustomers();
      fresh = hotSize;
      wrapped = false;
      back = ids.length - 1;
    };
    scenarios.push(
      { name: "get-by-id uncached", group: "get", spec: { ...api, next: nextFresh }, before: restart, note: repeatNote },
      { name: "baseline point select", group: "get", spec: { ...baseline, next: nextBaseline } },
      { name: `get-by-id uncached @${GET_RATE}`, group: "get", spec: { ...api, rate: GET_RATE, next: nextFresh }, note: repeatNote },
      { name: `baseline point select @${GET_RATE}`, group: "get", spec: { ...baseline, rate: GET_RATE, next: nextBaseline } },
      { name: "get-by-id cached", group: "get", spec: { ...api, next: nextHot }, before: () => o.hooks.primeHotSet(hot) },
      { name: `get-by-id cached @${GET_RATE}`, group: "get", spec: { ...api, rate: GET_RATE, next: nextHot } },
    );
  }

  if (o.only.includes("search")) {
    // Every request a different (word, filters, sort, page) combination, and the tenant's cached
    // searches retired before each scenario, so requests miss the 5-minute search cache and
    // reach MySQL; the note says how many did at least.
    const combos: string[] = [];
    for (const query of SEARCH_WORDS)
      for (const type of ["SmallBusiness", "Enterprise", "Individual", "NonProfit", "Government"])
        for (const status of ["Active", "Active,Inactive"])
          for (const segment of type === "Enterprise" ? ["", "Corporate", "VIP"] : ["", "Standard", "Premium", "VIP"])
            for (const sort of ["", "createdAt:desc"])
              for (let page = 1; page <= 10; page++) {
                const q = new URLSearchParams({ query, type, status, pageSize: "20", page: String(page) });
                if (segment) q.set("segment", segment);
                if (sort) q.set("sort", sort);
                combos.push(`/api/v1/customers/search?${q}`);
              }
    shuffle(combos);
    let next = 0;
    let requests = 0;
    const nextSearch = (): ReturnType<NextRequest> => {
      requests++;
      return { method: "GET", path: combos[next++ % combos.length]! };
    };
    const searchNote = () => {
      const n = requests;
      requests = 0;
      const distinct = Math.min(n, combos.length);
      return n > 0 ? `${fmt(distinct)} distinct searches in ${fmt(n)} requests (warm-up included): >= ${((distinct / n) * 100).toFixed(0)}% search-cache misses` : undefined;
    };
    // The bare server runs the same SQL for the same query strings (it has no cache to miss).
    // It walks the combinations from the other end.
    let bare = 0;
    const bareSearch = (): ReturnType<NextRequest> => ({
      method: "GET",
      path: combos[combos.length - 1 - (bare++ % combos.length)]!.replace("/api/v1/customers/search?", "/customers/search?"),
    });
    const before = o.hooks.retireSearches;
    const searchConnections = Math.min(o.connections, SEARCH_CONNECTIONS);
    scenarios.push(
      // One client: the time a search takes by itself, without queueing behind others.
      { name: "search, 1 connection", group: "search", spec: { ...api, connections: 1, next: nextSearch }, before, note: searchNote },
      { name: "search", group: "search", spec: { ...api, connections: searchConnections, next: nextSearch }, before, note: searchNote },
      { name: "baseline search", group: "search", spec: { ...baseline, connections: searchConnections, next: bareSearch } },
      { name: `search @${SEARCH_RATE}`, group: "search", spec: { ...api, rate: SEARCH_RATE, next: nextSearch }, before, note: searchNote },
      { name: `baseline search @${SEARCH_RATE}`, group: "search", spec: { ...baseline, rate: SEARCH_RATE, next: bareSearch } },
    );
  }

  // The advanced search (POST /customers/search): the same rate and cache treatment as the word
  // search, each request a different body.
  const advanced = (group: "fuzzy" | "phone", name: string, bodies: string[]) => {
    let next = 0;
    let requests = 0;
    const nextBody = (): ReturnType<NextRequest> => {
      requests++;
      return { method: "POST", path: "/api/v1/customers/search", body: bodies[next++ % bodies.length]! };
    };
    const note = () => {
      const n = requests;
      requests = 0;
      const distinct = Math.min(n, bodies.length);
      return n > 0 ? `${fmt(distinct)} distinct searches in ${fmt(n)} requests (warm-up included): >= ${((distinct / n) * 100).toFixed(0)}% search-cache misses` : undefined;
    };
    const before = o.hooks.retireSearches;
    scenarios.push(
      { name: `${name}, 1 connection`, group, spec: { ...api, connections: 1, next: nextBody }, before, note },
      { name: `${name} @${SEARCH_RATE}`, group, spec: { ...api, rate: SEARCH_RATE, next: nextBody }, before, note },
    );
  };
  if (o.only.includes("fuzzy")) advanced("fuzzy", "fuzzy search", fuzzyBodies());
  if (o.only.includes("phone")) advanced("phone", "phone search", phoneBodies());

  if (o.only.includes("create")) {
    const runId = Date.now().toString(36);
    const rng = createRng(Date.now() % 2 ** 31);
    let created = 0;
    // Unique emails per run and request; everything else varies like the seeded customers.
    const nextCreate = (): ReturnType<NextRequest> => ({
      method: "POST",
      path: "/api/v1/customers",
      body: JSON.stringify(createBody(rng, `${runId}${(created++).toString(36)}`)),
    });
    // The same bodies to the bare server, which does the same inserts in one transaction.
    const bareCreate = (): ReturnType<NextRequest> => ({ ...nextCreate(), path: "/customers" });
    scenarios.push(
      { name: `create @${CREATE_RATE}`, group: "create", spec: { ...api, rate: CREATE_RATE, next: nextCreate } },
      { name: `baseline create @${CREATE_RATE}`, group: "create", spec: { ...baseline, rate: CREATE_RATE, next: bareCreate } },
      { name: "create", group: "create", spec: { ...api, next: nextCreate } },
      { name: "baseline create", group: "create", spec: { ...baseline, next: bareCreate } },
    );
  }
  return scenarios;
}

const FUZZY_FILTERS: Record<string, unknown>[] = [{}, { status: ["Active"] }, { type: ["Individual"] }, { status: ["Active", "Suspended"] }];

/** A typo as people make them: two neighbouring letters swapped, a letter dropped or doubled, or an accent. */
function misspell(rng: Rng, word: string): string {
  const w = word.toLowerCase();
  if (w.length < 4) return w;
  const i = 1 + Math.floor(rng() * (w.length - 2));
  const kind = Math.floor(rng() * 4);
  if (kind === 0) return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  if (kind === 1) return w.slice(0, i) + w.slice(i + 1);
  if (kind === 2) return w.slice(0, i) + w[i] + w.slice(i);
  const accented = w.replace(/[aeiou]/, (v) => ({ a: "á", e: "é", i: "í", o: "ö", u: "ü" })[v]!);
  return accented === w ? w.slice(0, i) + w.slice(i + 1) : accented;
}

/** Misspelt person names ("Jonh Smtih"), surnames and company names, with the filters varied, pages 1-2. */
function fuzzyBodies(): string[] {
  const rng = createRng(4242);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
  const bodies: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const r = rng();
    const name =
      r < 0.5
        ? `${misspell(rng, pick(FIRST_NAMES))} ${misspell(rng, pick(LAST_NAMES))}`
        : r < 0.7
          ? misspell(rng, pick(LAST_NAMES))
          : `${misspell(rng, pick(BRANDS))} ${misspell(rng, pick(NOUNS))}`;
    bodies.push(JSON.stringify({ name, ...pick(FUZZY_FILTERS), page: 1 + Math.floor(rng() * 2), pageSize: 20 }));
  }
  return bodies;
}

/** 5-8 consecutive digits of a plausible phone (international or national digits), formatted as people type them. */
function phoneBodies(): string[] {
  const rng = createRng(2424);
  const bodies: string[] = [];
  const formats = [(d: string) => d, (d: string) => `${d.slice(0, 3)} ${d.slice(3)}`, (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, (d: string) => d.replace(/(\d{2})(?=\d)/g, "$1.")];
  for (let i = 0; i < 4000; i++) {
    const forms = phoneDigitForms(party(rng, "x").primaryPhone);
    const digits = forms[Math.floor(rng() * forms.length)]!;
    const length = 5 + Math.floor(rng() * 4);
    const start = Math.floor(rng() * (digits.length - length + 1));
    const fragment = formats[Math.floor(rng() * formats.length)]!(digits.slice(start, start + length));
    bodies.push(JSON.stringify({ phone: fragment, ...(rng() < 0.3 ? { status: ["Active"] } : {}), pageSize: 20 }));
  }
  return bodies;
}
