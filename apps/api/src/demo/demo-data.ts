import { seededRandom, type Role } from "@clientele/domain";

/**
 * The demo tenant's content: fixed lists and a seeded PRNG, so every run plans the same tenant.
 * Addresses use the reserved `.example` domain and phone numbers come from ranges set aside for
 * fiction where a country has one (Ofcom 020 7946 0xxx, NANP 555-01xx, ACMA 5550 xxxx, ARCEP
 * 01 99 00 xx xx): nothing here can reach a real person even with a real SMTP or Twilio account.
 */

/** Picks from a seeded sequence: the seed fixes the whole plan. */
export function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
export type Prng = ReturnType<typeof prng>;

export const DEMO_DOMAIN = "clientele-demo.example";

export type StaffUser = { id: string; name: string; email: string; roles: Role[] };

const staff = (id: string, name: string, roles: Role[]): StaffUser => ({
  id,
  name,
  email: `${name.toLowerCase().replace(/\s+/g, ".")}@${DEMO_DOMAIN}`,
  roles,
});

/** At least one of each role, each with an email so staff notices reach them. */
export const STAFF = {
  admin: staff("u-alex-morgan", "Alex Morgan", ["Admin"]),
  manager: staff("u-priya-shah", "Priya Shah", ["CustomerManager"]),
  manager2: staff("u-daniel-okafor", "Daniel Okafor", ["CustomerManager"]),
  sales1: staff("u-emma-clarke", "Emma Clarke", ["SalesRep"]),
  sales2: staff("u-lucas-martin", "Lucas Martin", ["SalesRep"]),
  sales3: staff("u-sofia-rossi", "Sofia Rossi", ["SalesRep"]),
  support1: staff("u-noah-williams", "Noah Williams", ["SupportAgent"]),
  support2: staff("u-mia-chen", "Mia Chen", ["SupportAgent"]),
  support3: staff("u-oliver-schmidt", "Oliver Schmidt", ["SupportAgent"]),
  viewer: staff("u-grace-kim", "Grace Kim", ["Viewer"]),
  marketing: staff("u-chloe-dubois", "Chloe Dubois", ["MarketingManager"]),
  marketing2: staff("u-ethan-brown", "Ethan Brown", ["MarketingManager"]),
} as const satisfies Record<string, StaffUser>;
export type StaffKey = keyof typeof STAFF;

export const SALES: StaffKey[] = ["sales1", "sales2", "sales3", "manager", "manager2"];
export const SUPPORT: StaffKey[] = ["support1", "support2", "support3"];

export const DEMO_SETTINGS = {
  routing: {
    rules: [
      { category: "Billing", team: "billing" },
      { category: "Delivery", team: "logistics" },
      { category: "Technical", team: "technical" },
      { category: "Product quality", userId: STAFF.manager.id },
      { category: "*", team: "general" },
    ],
    teams: {
      billing: [STAFF.support1.id, STAFF.support2.id],
      logistics: [STAFF.support3.id, STAFF.support1.id],
      technical: [STAFF.support2.id, STAFF.support3.id],
      general: [STAFF.support1.id, STAFF.support2.id, STAFF.support3.id],
    },
  },
  escalationHours: { Critical: 4, High: 24, Medium: 48, Low: 120 },
  supportEmails: [`support@${DEMO_DOMAIN}`],
  managerEmails: [STAFF.manager.email, STAFF.manager2.email],
};

export type TemplatePlan = { name: string; channel: "Email" | "SMS"; purpose: "Transactional" | "Marketing"; subject?: string; body: string; html?: string; archived?: boolean };

export const TEMPLATES: TemplatePlan[] = [
  {
    name: "Welcome",
    channel: "Email",
    purpose: "Transactional",
    subject: "Welcome to Clientele Demo Co.",
    body: "Hello {{fullName}},\n\nThank you for choosing us. Your customer number is {{customerNumber}}; quote it whenever you get in touch.\n\nKind regards,\nThe Clientele Demo Co. team",
    html: "<p>Hello {{fullName}},</p><p>Thank you for choosing us. Your customer number is <strong>{{customerNumber}}</strong>; quote it whenever you get in touch.</p><p>Kind regards,<br>The Clientele Demo Co. team</p>",
  },
  {
    name: "Invoice reminder",
    channel: "Email",
    purpose: "Transactional",
    subject: "A friendly reminder about your open invoice",
    body: "Dear {{fullName}},\n\nOur records show an invoice for {{companyName}} that is now past its due date. If you have already paid, please ignore this message.\n\nAccounts team",
  },
  {
    name: "Spring webinar invitation",
    channel: "Email",
    purpose: "Marketing",
    subject: "Join our spring webinar series",
    body: "Hi {{firstName}},\n\nThis spring we run four short webinars on getting more out of your account. Reply to this email to save a seat for {{companyName}}.",
    html: "<p>Hi {{firstName}},</p><p>This spring we run four short webinars on getting more out of your account. Reply to this email to save a seat for <strong>{{companyName}}</strong>.</p>",
  },
  {
    name: "Appointment reminder",
    channel: "SMS",
    purpose: "Transactional",
    body: "Hi {{firstName}}, a reminder of your appointment with Clientele Demo Co. tomorrow. Reply STOP to opt out.",
  },
  {
    name: "Delivery update",
    channel: "SMS",
    purpose: "Transactional",
    body: "{{companyName}}: your order has left our warehouse and arrives within 2 working days.",
  },
  {
    name: "Summer sale 2025",
    channel: "Email",
    purpose: "Marketing",
    subject: "Our summer sale starts now",
    body: "Hi {{firstName}},\n\n20% off every renewal booked before the end of August.",
    archived: true,
  },
];

export const CAMPAIGN = { template: "Spring webinar invitation", daysAgo: 40 };

type City = { city: string; state: string; zips: string[]; phone: (n: number) => string };
type Country = { code: string; suffix: string; cities: City[]; mobile: (n: number) => string; first: string[]; last: string[] };

const d = (n: number, width: number) => String(n % 10 ** width).padStart(width, "0");
const pair = (n: number) => `${d(Math.floor(n / 100), 2)} ${d(n, 2)}`;

export const COUNTRIES: Country[] = [
  {
    code: "GB",
    suffix: "Ltd",
    cities: [
      { city: "London", state: "Greater London", zips: ["SW1A 1AA", "EC1A 1BB", "W1D 3QF", "SE1 9SG", "N1 9GU"], phone: (n) => `+44 20 7946 0${d(n, 3)}` },
      { city: "Manchester", state: "Greater Manchester", zips: ["M1 1AE", "M2 5DB", "M4 1HN"], phone: (n) => `+44 161 496 0${d(n, 3)}` },
      { city: "Edinburgh", state: "City of Edinburgh", zips: ["EH1 1YZ", "EH2 2ER"], phone: (n) => `+44 131 496 0${d(n, 3)}` },
      { city: "Bristol", state: "Bristol", zips: ["BS1 4DJ", "BS1 5TR"], phone: (n) => `+44 117 496 0${d(n, 3)}` },
    ],
    mobile: (n) => `+44 7700 900${d(n, 3)}`,
    first: ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily", "Charlie", "Sophie", "Thomas", "Grace", "James", "Lily", "William", "Freya"],
    last: ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood"],
  },
  {
    code: "US",
    suffix: "Inc.",
    cities: [
      { city: "New York", state: "NY", zips: ["10001", "10016", "10018"], phone: (n) => `+1 212 555 01${d(n, 2)}` },
      { city: "San Francisco", state: "CA", zips: ["94105", "94103"], phone: (n) => `+1 415 555 01${d(n, 2)}` },
      { city: "Chicago", state: "IL", zips: ["60601", "60606"], phone: (n) => `+1 312 555 01${d(n, 2)}` },
      { city: "Austin", state: "TX", zips: ["78701", "78702"], phone: (n) => `+1 512 555 01${d(n, 2)}` },
      { city: "Seattle", state: "WA", zips: ["98101", "98104"], phone: (n) => `+1 206 555 01${d(n, 2)}` },
      { city: "Boston", state: "MA", zips: ["02108", "02110"], phone: (n) => `+1 617 555 01${d(n, 2)}` },
    ],
    mobile: (n) => `+1 646 555 01${d(n, 2)}`,
    first: ["Liam", "Olivia", "Noah", "Emma", "Ethan", "Ava", "Mason", "Sophia", "Logan", "Isabella", "Lucas", "Mia", "Aiden", "Harper", "Elijah", "Evelyn"],
    last: ["Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Young", "Allen", "King"],
  },
  {
    code: "CA",
    suffix: "Inc.",
    cities: [
      { city: "Toronto", state: "ON", zips: ["M5V 2T6", "M5H 2N2"], phone: (n) => `+1 416 555 01${d(n, 2)}` },
      { city: "Vancouver", state: "BC", zips: ["V6B 1A1", "V6C 3E8"], phone: (n) => `+1 604 555 01${d(n, 2)}` },
      { city: "Montréal", state: "QC", zips: ["H2Y 1C6", "H3B 4W8"], phone: (n) => `+1 514 555 01${d(n, 2)}` },
    ],
    mobile: (n) => `+1 647 555 01${d(n, 2)}`,
    first: ["Liam", "Charlotte", "Benjamin", "Chloé", "Nathan", "Olivia", "Félix", "Léa", "Samuel", "Emma"],
    last: ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "MacDonald", "Campbell", "Wilson", "Martin", "Lee"],
  },
  {
    code: "AU",
    suffix: "Pty Ltd",
    cities: [
      { city: "Sydney", state: "NSW", zips: ["2000", "2010"], phone: (n) => `+61 2 5550 ${d(n, 4)}` },
      { city: "Melbourne", state: "VIC", zips: ["3000", "3004"], phone: (n) => `+61 3 5550 ${d(n, 4)}` },
      { city: "Brisbane", state: "QLD", zips: ["4000"], phone: (n) => `+61 7 5550 ${d(n, 4)}` },
    ],
    mobile: (n) => `+61 491 570 ${d(n, 3)}`,
    first: ["Jack", "Charlotte", "William", "Matilda", "Oliver", "Ruby", "Lachlan", "Chloe", "Cooper", "Zoe"],
    last: ["Smith", "Nguyen", "Kelly", "Ryan", "Murphy", "Mitchell", "Campbell", "Jones", "Anderson", "Walsh"],
  },
  {
    code: "FR",
    suffix: "SAS",
    cities: [
      { city: "Paris", state: "Île-de-France", zips: ["75008", "75002", "75011"], phone: (n) => `+33 1 99 00 ${pair(n)}` },
      { city: "Lyon", state: "Auvergne-Rhône-Alpes", zips: ["69002", "69003"], phone: (n) => `+33 4 65 71 ${pair(n)}` },
      { city: "Bordeaux", state: "Nouvelle-Aquitaine", zips: ["33000"], phone: (n) => `+33 5 36 49 ${pair(n)}` },
    ],
    mobile: (n) => `+33 6 39 98 ${pair(n)}`,
    first: ["Louis", "Camille", "Gabriel", "Manon", "Hugo", "Chloé", "Arthur", "Inès", "Jules", "Léa"],
    last: ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"],
  },
  {
    code: "DE",
    suffix: "GmbH",
    cities: [
      { city: "Berlin", state: "Berlin", zips: ["10115", "10117"], phone: (n) => `+49 30 5550 ${d(n, 4)}` },
      { city: "München", state: "Bayern", zips: ["80331", "80333"], phone: (n) => `+49 89 5550 ${d(n, 4)}` },
      { city: "Hamburg", state: "Hamburg", zips: ["20095"], phone: (n) => `+49 40 5550 ${d(n, 4)}` },
    ],
    mobile: (n) => `+49 151 5550 ${d(n, 4)}`,
    first: ["Lukas", "Mia", "Leon", "Emma", "Finn", "Hannah", "Paul", "Lena", "Jonas", "Sophie"],
    last: ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz"],
  },
  {
    code: "NL",
    suffix: "B.V.",
    cities: [
      { city: "Amsterdam", state: "Noord-Holland", zips: ["1012 JS", "1017 CE"], phone: (n) => `+31 20 555 ${d(n, 4)}` },
      { city: "Rotterdam", state: "Zuid-Holland", zips: ["3011 AD"], phone: (n) => `+31 10 555 ${d(n, 4)}` },
      { city: "Utrecht", state: "Utrecht", zips: ["3511 LX"], phone: (n) => `+31 30 555 ${d(n, 4)}` },
    ],
    mobile: (n) => `+31 6 5550 ${d(n, 4)}`,
    first: ["Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Levi", "Sophie", "Finn", "Anna"],
    last: ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos"],
  },
];

export const STREETS = [
  "High Street",
  "Station Road",
  "Market Street",
  "Church Lane",
  "Park Avenue",
  "Harbour Road",
  "Mill Lane",
  "King Street",
  "Queen's Road",
  "Victoria Street",
  "Elm Grove",
  "Riverside Drive",
];

export const COMPANY_STEMS = [
  "Northwind",
  "Blue Harbor",
  "Summit",
  "Redwood",
  "Ironbridge",
  "Silverline",
  "Crescent",
  "Oakmont",
  "Highgate",
  "Brightwater",
  "Foxglove",
  "Granite Peak",
  "Lakeside",
  "Meridian",
  "Northstar",
  "Old Mill",
  "Pinecrest",
  "Quayside",
  "Riverbend",
  "Stonebridge",
  "Tidewater",
  "Westfield",
  "Amberley",
  "Bramble",
  "Copperleaf",
];

export const BUSINESS_LINES: { noun: string; industry: string }[] = [
  { noun: "Logistics", industry: "Logistics" },
  { noun: "Analytics", industry: "Technology" },
  { noun: "Foods", industry: "Food & Beverage" },
  { noun: "Engineering", industry: "Manufacturing" },
  { noun: "Health", industry: "Healthcare" },
  { noun: "Capital", industry: "Financial Services" },
  { noun: "Energy", industry: "Energy" },
  { noun: "Media", industry: "Media" },
  { noun: "Systems", industry: "Technology" },
  { noun: "Construction", industry: "Construction" },
  { noun: "Pharma", industry: "Pharmaceuticals" },
  { noun: "Hotels", industry: "Hospitality" },
];

export const SMALL_TRADES: { noun: string; industry: string }[] = [
  { noun: "Bakery", industry: "Food & Beverage" },
  { noun: "Florists", industry: "Retail" },
  { noun: "Bike Repair", industry: "Retail" },
  { noun: "Dental Practice", industry: "Healthcare" },
  { noun: "Accountants", industry: "Professional Services" },
  { noun: "Coffee Roasters", industry: "Food & Beverage" },
  { noun: "Print Studio", industry: "Media" },
  { noun: "Plumbing", industry: "Construction" },
  { noun: "Yoga Studio", industry: "Health & Fitness" },
  { noun: "Bookshop", industry: "Retail" },
  { noun: "Architects", industry: "Professional Services" },
  { noun: "Veterinary Clinic", industry: "Healthcare" },
];

export const NONPROFIT_NAMES = [
  "{city} Food Bank",
  "Friends of {city} Parks",
  "{city} Literacy Trust",
  "Clean Rivers Foundation {city}",
  "{city} Youth Orchestra",
  "Open Doors Housing {city}",
  "{city} Animal Rescue",
  "Green Streets {city}",
];

export const GOVERNMENT_NAMES = [
  "City of {city} Parks Department",
  "{city} Public Library Service",
  "{city} Council Procurement Office",
  "{city} Water Authority",
  "{city} Transport Services",
  "{city} Public Health Office",
];

export const POSITIONS = [
  "Chief Executive Officer",
  "Finance Director",
  "Head of Procurement",
  "Operations Manager",
  "IT Director",
  "Office Manager",
  "Marketing Lead",
  "Accounts Payable",
  "Facilities Manager",
  "Project Coordinator",
];

export const TAGS = ["vip", "decision-maker", "billing", "technical", "newsletter", "partner", "renewal-2026", "trade-show", "champion", "procurement"];

export const INTERESTS = ["webinars", "product-updates", "events", "case-studies", "training"];

export const CALL_SUMMARIES = [
  "Discussed renewal options for next year",
  "Walked through the new reporting dashboard",
  "Customer asked about volume pricing",
  "Follow-up on the open support ticket",
  "Introductory call with the new finance contact",
  "Clarified the invoice schedule and payment terms",
  "Customer reported slow delivery last month",
  "Quarterly check-in: usage is growing",
];

export const MEETING_TITLES = ["Quarterly business review", "Product demo", "Contract renewal", "Onboarding workshop", "Site visit", "Roadmap preview"];

export const EMAIL_SUBJECTS = [
  { subject: "Your quote as discussed", body: "Hello,\n\nAs promised on the phone, please find our quote summarised below. It is valid for 30 days.\n\nBest regards" },
  { subject: "Meeting notes and next steps", body: "Hello,\n\nThank you for your time today. Here are the points we agreed and the next steps on our side." },
  { subject: "Your account review", body: "Hello,\n\nWe have prepared your annual account review. Let us know when suits you to go through it." },
];

export const SMS_TEXTS = [
  "Hi {{firstName}}, your order is confirmed. Thank you!",
  "Your engineer is on the way and arrives within the hour.",
  "Reminder: your invoice is due on Friday. Questions? Call us any time.",
];

export const COMPLAINTS: { subject: string; description: string; category: string; priority: "Low" | "Medium" | "High" | "Critical" }[] = [
  { subject: "Charged twice for the March invoice", description: "Our card was debited twice for the same invoice. Please refund the duplicate payment.", category: "Billing", priority: "High" },
  { subject: "Delivery arrived three days late", description: "The order we were promised for Monday arrived on Thursday, after our event.", category: "Delivery", priority: "Medium" },
  { subject: "Damaged packaging on arrival", description: "Two of the five boxes were crushed and the contents scratched.", category: "Product quality", priority: "Medium" },
  { subject: "Cannot log in to the customer portal", description: "Since the last update every login attempt ends with an error page.", category: "Technical", priority: "Critical" },
  { subject: "Rude reply from the call centre", description: "The agent I spoke to on Tuesday was dismissive and ended the call.", category: "Service", priority: "Low" },
  { subject: "Wrong VAT rate on invoice", description: "The invoice applies the standard rate although we are exempt; certificate attached earlier.", category: "Billing", priority: "Medium" },
  { subject: "Missing items in the last order", description: "The delivery note lists 12 units but only 10 were in the box.", category: "Delivery", priority: "High" },
  { subject: "Export to CSV produces empty file", description: "Exports started yesterday come out with headers only.", category: "Technical", priority: "High" },
];

export const RESOLUTIONS = [
  "Refunded the duplicate payment and added a note to the account to prevent a repeat.",
  "Re-shipped the missing items by express courier at no charge and apologised for the delay.",
  "Replaced the damaged goods and raised the packaging issue with our warehouse team.",
  "Fixed the login issue with a configuration change; the customer confirmed access works.",
];

export const TESTIMONIALS = [
  "Switching to Clientele Demo Co. was the best decision we made this year: fast answers and no surprises on the invoice.",
  "The onboarding team walked us through everything in one afternoon. Highly recommended.",
  "Reliable deliveries and a support team that actually calls back. Five stars.",
  "Good value for money; the new dashboard saves our finance team hours every month.",
  "Friendly people and a product that does what it says.",
  "Solid service overall, although the portal could be faster at peak times.",
];

export const REJECTION_REASONS = ["Mentions a named employee of another customer", "Duplicate of an earlier testimonial", "Not about our service"];

export const FOLLOW_UPS = ["Send the renewal proposal", "Call back about volume pricing", "Confirm the delivery address change", "Prepare the quarterly review deck", "Check in after the onboarding workshop"];
