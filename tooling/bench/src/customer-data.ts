import { DEFAULT_PREFERENCES, seededRandom } from "@clientele/domain";
/**
 * Synthetic but plausible customers. Company names are built from word lists sized so that common
 * search words hit a realistic share of rows (about: "systems" 1.5%, "global" 1%, "acme" 0.3%).
 */

export type Rng = () => number;

/** Seedable, so a reseed produces the same data set. */
export const createRng: (seed: number) => Rng = seededRandom;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const digits = (rng: Rng, n: number) => {
  let s = "";
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
};

/** Picks by weight; weights need not sum to 1. */
function weighted<T extends string>(table: readonly (readonly [T, number])[]): (rng: Rng) => T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  return (rng) => {
    let r = rng() * total;
    for (const [value, w] of table) if ((r -= w) < 0) return value;
    return table[table.length - 1]![0];
  };
}

export const BRANDS = (
  "Acme Northwind Contoso Fabrikam Initech Umbrella Globex Soylent Hooli Vandelay Wayne Stark Tyrell Cyberdyne Aperture " +
  "Massive Wonka Oceanic Gringotts Monarch Sterling Cooper Pearson Bluth Dunder Mifflin Prestige Virtucon Zenith Vertex " +
  "Orion Nimbus Aurora Cobalt Falcon Harbor Ironwood Juniper Keystone Lakeside Meridian Nova Oakridge Paragon Quantum " +
  "Redwood Sapphire Titan Unity Vanguard Willow Xenon Yellowstone Zephyr Alder Beacon Cedar Delta Evergreen Foxglove " +
  "Granite Highland Indigo Jasper Kestrel Lumen Maple Northstar Onyx Pinnacle Quartz Riverbend Silverline Timber Upland " +
  "Vista Westbrook Arcadia Bramble Cascade Driftwood Ember Fjord Glacier Horizon Inlet Jetstream Kingfisher Lighthouse " +
  "Mosaic Nexus Obsidian Polaris Radiant Solstice Trident Ultra Velocity Wavecrest Amber Birch Canyon Dune Elm Fern Grove " +
  "Hawthorn Ivy Lotus Mesa Nectar Olive Pine Quill Raven Sage Thistle Vale Wren Atlas Bolt Crest Echo Flint Gale Helix " +
  "Ion Jade Kite Lynx Magnet Nomad Opal Prism Rune Sonic Tango Vortex Warp Zinc Anchor Bison Comet Dragon Eagle"
).split(" ");

const DESCRIPTORS = (
  "Global International United National Advanced Digital Smart Green Blue Prime First Premier Pacific Atlantic Northern " +
  "Southern Eastern Western Central Metro Coastal Summit Apex Pioneer Dynamic"
).split(" ");

export const NOUNS = (
  "Systems Solutions Technologies Logistics Consulting Partners Holdings Industries Group Labs Networks Software Analytics " +
  "Dynamics Ventures Capital Energy Foods Health Media Designs Manufacturing Supplies Services Engineering Robotics Pharma " +
  "Motors Construction Realty Marine Aerospace Textiles Trading Electronics Data Security Communications Studios Retail"
).split(" ");

export const FIRST_NAMES = (
  "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan Joseph Jessica " +
  "Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Margaret Paul Sandra Steven Ashley Andrew " +
  "Emily Joshua Donna Kevin Michelle Brian Carol George Amanda Oliver Amelia Harry Isla Jack Ava Noah Mia Leo Freya " +
  "Lukas Anna Finn Lea Jonas Hannah Felix Laura Paul Julia Maximilian Sophie Elias Lena Ben Marie Emma Liam Olivia " +
  "Ethan Sophia Lucas Chloe Henry Grace Samuel Ella Alexander Zoe Sebastian Lily Gabriel Aria Mateo Nora"
).split(" ");

export const LAST_NAMES = (
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson " +
  "Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young " +
  "Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter " +
  "Roberts Evans Turner Phillips Parker Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey " +
  "Reed Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders Patel Shah Khan " +
  "Ali Singh Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf " +
  "Schroeder Neumann Schwarz Braun Zimmermann Kruger Hartmann Lange Werner Krause Lehmann Walsh Byrne Ryan Doyle"
).split(" ");

const INDUSTRIES = [
  "Software",
  "Manufacturing",
  "Retail",
  "Healthcare",
  "Financial Services",
  "Logistics",
  "Construction",
  "Education",
  "Hospitality",
  "Energy",
  "Media",
  "Agriculture",
  "Telecommunications",
  "Real Estate",
  "Public Sector",
] as const;

const FREEMAIL: Record<Country, readonly string[]> = {
  US: ["gmail.com", "outlook.com", "yahoo.com", "icloud.com"],
  GB: ["gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"],
  DE: ["gmail.com", "web.de", "gmx.de", "t-online.de"],
};

const TLD: Record<Country, string> = { US: "com", GB: "co.uk", DE: "de" };
const LEGAL: Record<Country, readonly string[]> = { US: ["Inc", "LLC", "Corp"], GB: ["Ltd", "PLC"], DE: ["GmbH", "AG"] };

type Country = "US" | "GB" | "DE";
type City = { city: string; state: string; zip: (rng: Rng) => string; phone: (rng: Rng) => string };

const ukInward = (rng: Rng) => `${int(rng, 0, 9)}${pick(rng, [..."ABDEFGHJLNPQRSTUWXYZ"])}${pick(rng, [..."ABDEFGHJLNPQRSTUWXYZ"])}`;
// Real area codes, random subscriber numbers: valid NANP shape (exchange starts 2-9).
const usPhone = (areas: readonly string[]) => (rng: Rng) => `+1${pick(rng, areas)}${int(rng, 2, 9)}${digits(rng, 2)}${digits(rng, 4)}`;

const CITIES: Record<Country, readonly City[]> = {
  US: [
    { city: "New York", state: "NY", zip: (r) => `100${digits(r, 2)}`, phone: usPhone(["212", "646", "917"]) },
    { city: "Chicago", state: "IL", zip: (r) => `606${digits(r, 2)}`, phone: usPhone(["312", "773"]) },
    { city: "San Francisco", state: "CA", zip: (r) => `941${digits(r, 2)}`, phone: usPhone(["415", "628"]) },
    { city: "Boston", state: "MA", zip: (r) => `021${digits(r, 2)}`, phone: usPhone(["617", "857"]) },
    { city: "Austin", state: "TX", zip: (r) => `787${digits(r, 2)}`, phone: usPhone(["512", "737"]) },
    { city: "Seattle", state: "WA", zip: (r) => `981${digits(r, 2)}`, phone: usPhone(["206"]) },
    { city: "Denver", state: "CO", zip: (r) => `802${digits(r, 2)}`, phone: usPhone(["303", "720"]) },
    { city: "Atlanta", state: "GA", zip: (r) => `303${digits(r, 2)}`, phone: usPhone(["404", "470"]) },
    { city: "Miami", state: "FL", zip: (r) => `331${digits(r, 2)}`, phone: usPhone(["305", "786"]) },
    { city: "Portland", state: "OR", zip: (r) => `972${digits(r, 2)}`, phone: usPhone(["503", "971"]) },
  ],
  GB: [
    { city: "London", state: "Greater London", zip: (r) => `${pick(r, ["EC1A", "SW1A", "W1D", "N1", "E14", "SE1", "NW3"])} ${ukInward(r)}`, phone: (r) => `+4420${pick(r, ["7", "3"])}${digits(r, 7)}` },
    { city: "Manchester", state: "Greater Manchester", zip: (r) => `M${int(r, 1, 40)} ${ukInward(r)}`, phone: (r) => `+44161${int(r, 2, 9)}${digits(r, 6)}` },
    { city: "Birmingham", state: "West Midlands", zip: (r) => `B${int(r, 1, 99)} ${ukInward(r)}`, phone: (r) => `+44121${int(r, 2, 9)}${digits(r, 6)}` },
    { city: "Edinburgh", state: "Scotland", zip: (r) => `EH${int(r, 1, 17)} ${ukInward(r)}`, phone: (r) => `+44131${int(r, 2, 9)}${digits(r, 6)}` },
    { city: "Bristol", state: "Bristol", zip: (r) => `BS${int(r, 1, 16)} ${ukInward(r)}`, phone: (r) => `+44117${int(r, 2, 9)}${digits(r, 6)}` },
  ],
  DE: [
    { city: "Berlin", state: "Berlin", zip: (r) => String(int(r, 10115, 14199)), phone: (r) => `+4930${int(r, 2, 9)}${digits(r, 7)}` },
    { city: "München", state: "Bayern", zip: (r) => String(int(r, 80331, 81929)), phone: (r) => `+4989${int(r, 2, 9)}${digits(r, 7)}` },
    { city: "Hamburg", state: "Hamburg", zip: (r) => String(int(r, 20095, 22769)), phone: (r) => `+4940${int(r, 2, 9)}${digits(r, 7)}` },
    { city: "Köln", state: "Nordrhein-Westfalen", zip: (r) => String(int(r, 50667, 51149)), phone: (r) => `+49221${int(r, 2, 9)}${digits(r, 6)}` },
    { city: "Frankfurt am Main", state: "Hessen", zip: (r) => String(int(r, 60306, 60599)), phone: (r) => `+4969${int(r, 2, 9)}${digits(r, 7)}` },
  ],
};

const STREETS: Record<Country, readonly string[]> = {
  US: ["Main Street", "Oak Avenue", "Maple Drive", "Park Avenue", "Washington Street", "Lake Road", "Cedar Lane", "Elm Street", "Broadway", "Market Street"],
  GB: ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Lane", "King Street", "Mill Lane", "The Green", "Queen Street", "London Road"],
  DE: ["Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Dorfstraße", "Bergstraße", "Lindenstraße", "Kirchstraße", "Friedrichstraße", "Goethestraße"],
};

export type Address = { street: string; city: string; state: string; zipCode: string; country: Country };

function address(rng: Rng, country: Country, city = pick(rng, CITIES[country])): Address {
  const street = pick(rng, STREETS[country]);
  const n = int(rng, 1, country === "US" ? 9999 : 199);
  return {
    street: country === "DE" ? `${street} ${n}` : `${n} ${street}`,
    city: city.city,
    state: city.state,
    zipCode: city.zip(rng),
    country,
  };
}

const country = weighted<Country>([["US", 0.6], ["GB", 0.2], ["DE", 0.2]]);
export const customerType = weighted([
  ["Individual", 0.25],
  ["SmallBusiness", 0.4],
  ["Enterprise", 0.15],
  ["NonProfit", 0.12],
  ["Government", 0.08],
] as const);
const status = weighted([["Active", 0.8], ["Inactive", 0.1], ["Suspended", 0.03], ["Archived", 0.07]] as const);
const segment = weighted([["Standard", 0.7], ["Premium", 0.2], ["VIP", 0.1]] as const);
const rating = weighted([["Unrated", 0.45], ["Excellent", 0.12], ["Good", 0.25], ["Fair", 0.13], ["Poor", 0.05]] as const);

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

type Party = {
  type: ReturnType<typeof customerType>;
  companyName: string;
  firstName: string | null;
  lastName: string | null;
  industry: string | null;
  website: string | null;
  primaryEmail: string;
  secondaryEmail: string | null;
  primaryPhone: string;
  secondaryPhone: string | null;
  billing: Address;
};

/** Name, contact and address of one customer; `unique` makes the email unique (the sequence number). */
export function party(rng: Rng, unique: string, type = customerType(rng)): Party {
  const c = country(rng);
  const city = pick(rng, CITIES[c]);
  const billing = address(rng, c, city);
  const first = pick(rng, FIRST_NAMES);
  const last = pick(rng, LAST_NAMES);
  const person = `${first}.${last}`.toLowerCase();
  const phone = city.phone(rng);
  const secondaryPhone = rng() < 0.3 ? city.phone(rng) : null;
  if (type === "Individual") {
    const mail = pick(rng, FREEMAIL[c]);
    return {
      type,
      companyName: `${first} ${last}`,
      firstName: first,
      lastName: last,
      industry: null,
      website: null,
      primaryEmail: `${person}.${unique}@${mail}`,
      secondaryEmail: rng() < 0.2 ? `${last.toLowerCase()}${unique}@${pick(rng, FREEMAIL[c])}` : null,
      primaryPhone: phone,
      secondaryPhone,
      billing,
    };
  }
  const brand = pick(rng, BRANDS);
  const noun = pick(rng, NOUNS);
  let core: string;
  let name: string;
  if (type === "Government") {
    core = `${city.city} ${pick(rng, ["Department of Transport", "Public Works", "Health Services", "City Council", "Revenue Office", "Parks Department"])}`;
    name = core;
  } else if (type === "NonProfit") {
    core = `${rng() < 0.5 ? brand : pick(rng, DESCRIPTORS)} ${pick(rng, ["Foundation", "Trust", "Association", "Society", "Alliance"])}`;
    name = core;
  } else {
    const r = rng();
    if (r < 0.45) core = `${brand} ${noun}`;
    else if (r < 0.7) core = `${brand} ${pick(rng, DESCRIPTORS)} ${noun}`;
    else if (r < 0.9) core = `${pick(rng, DESCRIPTORS)} ${noun}`;
    else core = `${last} ${noun}`;
    name = rng() < 0.6 ? `${core} ${pick(rng, LEGAL[c])}` : core;
  }
  const tld = type !== "Government" ? TLD[c] : c === "US" ? "gov" : c === "GB" ? "gov.uk" : "de";
  const domain = `${rng() < 0.5 ? slug(core) : slug(core).replace(/-/g, "")}.${tld}`;
  return {
    type,
    companyName: name,
    firstName: null,
    lastName: null,
    industry: type === "Government" ? "Public Sector" : pick(rng, INDUSTRIES),
    website: rng() < 0.85 ? `https://www.${domain}` : null,
    primaryEmail: `${person}.${unique}@${domain}`,
    secondaryEmail: rng() < 0.35 ? `${pick(rng, ["info", "accounts", "billing", "sales"])}.${unique}@${domain}` : null,
    primaryPhone: phone,
    secondaryPhone,
    billing,
  };
}

export const DEFAULT_PREFERENCES_JSON = JSON.stringify(DEFAULT_PREFERENCES);

/** Column order of `customerRow`; the loaders name these columns explicitly. */
export const CUSTOMER_COLUMNS = [
  "id",
  "tenant_id",
  "customer_number",
  "type",
  "company_name",
  "first_name",
  "last_name",
  "industry",
  "website",
  "segment",
  "lifetime_value",
  "total_events",
  "rating",
  "status",
  "primary_email",
  "secondary_email",
  "primary_phone",
  "secondary_phone",
  "billing_street",
  "billing_city",
  "billing_state",
  "billing_zip_code",
  "billing_country",
  "shipping_street",
  "shipping_city",
  "shipping_state",
  "shipping_zip_code",
  "shipping_country",
  "preferences",
  "is_deleted",
  "deleted_at",
  "deleted_by",
  "status_reason",
  "created_at",
  "created_by",
  "last_modified_at",
  "last_modified_by",
  "version",
] as const;

export type CellValue = string | number | null;

const DAY = 86_400_000;
const sqlDate = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace("T", " ");

/**
 * One seeded row. Customers are numbered in creation order over the last five years, so
 * created_at grows with the customer number like it would in production.
 */
export function customerRow(rng: Rng, tenantId: string, id: string, seq: number, total: number, now: number): CellValue[] {
  const p = party(rng, String(seq));
  const createdAt = now - 5 * 365 * DAY + Math.floor(((seq - 1) / Math.max(total, 1)) * 5 * 365 * DAY) + int(rng, 0, 3_600_000);
  const modified = rng() < 0.4 ? Math.min(now, createdAt + int(rng, 1, 400) * DAY) : null;
  const deleted = rng() < 0.02;
  const st = deleted ? "Inactive" : status(rng);
  const seg = p.type === "Enterprise" ? (rng() < 0.8 ? "Corporate" : "VIP") : segment(rng);
  const shipping = rng();
  const ship = shipping < 0.5 ? p.billing : shipping < 0.75 ? address(rng, p.billing.country) : null;
  const version = modified === null ? 1 : int(rng, 2, 6);
  return [
    id,
    tenantId,
    `CUS-${String(seq).padStart(6, "0")}`,
    p.type,
    p.companyName,
    p.firstName,
    p.lastName,
    p.industry,
    p.website,
    seg,
    (rng() < 0.3 ? 0 : Math.round(rng() * rng() * 250_000_00) / 100).toFixed(2),
    int(rng, 0, 40),
    rating(rng),
    st,
    p.primaryEmail,
    p.secondaryEmail,
    p.primaryPhone,
    p.secondaryPhone,
    p.billing.street,
    p.billing.city,
    p.billing.state,
    p.billing.zipCode,
    p.billing.country,
    ship?.street ?? null,
    ship?.city ?? null,
    ship?.state ?? null,
    ship?.zipCode ?? null,
    ship?.country ?? null,
    DEFAULT_PREFERENCES_JSON,
    deleted ? 1 : 0,
    deleted ? sqlDate(modified ?? createdAt + DAY) : null,
    deleted ? "seed" : null,
    deleted ? "Closed account" : st === "Suspended" ? "Payment overdue" : null,
    sqlDate(createdAt),
    "seed",
    deleted ? sqlDate(modified ?? createdAt + DAY) : modified === null ? null : sqlDate(modified),
    modified === null && !deleted ? null : "seed",
    version,
  ];
}

/** A valid create request body (POST /customers); `unique` keeps the email unique across runs. */
export function createBody(rng: Rng, unique: string) {
  const p = party(rng, unique);
  return {
    type: p.type,
    ...(p.type === "Individual" ? { firstName: p.firstName ?? undefined, lastName: p.lastName ?? undefined } : { companyName: p.companyName }),
    industry: p.industry,
    website: p.website,
    primaryEmail: p.primaryEmail,
    primaryPhone: p.primaryPhone,
    secondaryPhone: p.secondaryPhone,
    billingAddress: p.billing,
    shippingSameAsBilling: true,
  };
}

/** Words the search scenario asks for: common industry words, brands and surnames. */
export const SEARCH_WORDS = ["systems", "global", "acme", "solutions", "data", "northwind", "green", "logistics", "smith", "health"];
