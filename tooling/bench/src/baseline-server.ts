/**
 * The floor the API is compared with: node:http plus a mysql2 pool doing the same database work
 * as the API, with no framework, auth, validation, cache or mapping. Started as its own process
 * by bench.ts; with BASELINE_WORKERS > 1 it runs that many node:cluster workers on one port, as
 * the API does with API_WORKERS, each with its own pool.
 *
 *   GET  /customers/:id       the API's point select
 *   GET  /customers/search?…  the API's search SQL (built by packages/db, compiled here, run with mysql2)
 *   POST /customers           the API's create: sequence bump, then customer row, search terms,
 *                             audit row and outbox row in one transaction
 */
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { customerSearchQueries, customersByIdsQuery, createDb, type CustomerSortField } from "@clientele/db";
import { DEFAULT_PREFERENCES, initialSegment, searchTerms, topicFor, type CustomerType } from "@clientele/domain";
import type { PoolConnection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { baselineEnv } from "./env";

const { url, port, tenantId, poolSize, workers } = baselineEnv();
const READY = "baseline listening";

if (workers > 1 && cluster.isPrimary) {
  let listening = 0;
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("listening", () => {
    if (++listening === workers) console.log(`${READY} (${workers} workers)`);
  });
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      console.error(`baseline worker ${worker.process.pid} exited (code ${code})`);
      process.exit(1);
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  serve();
}

function serve() {
  // The API's own pool (packages/db: same options, the same UTC session setting) so only the layers
  // above differ. Kysely only builds and compiles the search here; mysql2 runs every statement.
  const { db, pool: callbackPool } = createDb({ url, poolSize });
  const pool = callbackPool.promise();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  async function pointSelect(res: ServerResponse, id: string) {
    const [rows] = await pool.query<RowDataPacket[]>("SELECT * FROM customers WHERE tenant_id = ? AND id = ?", [tenantId, id]);
    if (!rows[0]) res.writeHead(404).end();
    else json(res, 200, rows[0]);
  }

  /** The API's search for the same query string: page and count side by side, then the page's customers. */
  async function search(res: ServerResponse, params: URLSearchParams) {
    const list = (name: string) => params.get(name)?.split(",").filter(Boolean);
    const sort = (list("sort") ?? ["companyName:asc"]).map((s) => {
      const [field, direction] = s.split(":") as [CustomerSortField, "asc" | "desc" | undefined];
      return { field, direction: direction ?? "asc" };
    });
    const s = {
      ...(params.get("query") ? { query: params.get("query")! } : {}),
      ...(list("type") ? { types: list("type")! } : {}),
      ...(list("segment") ? { segments: list("segment")! } : {}),
      ...(list("status") ? { statuses: list("status")! } : {}),
      sort,
      page: Number(params.get("page") ?? 1),
      pageSize: Number(params.get("pageSize") ?? 20),
    };
    const q = customerSearchQueries(db, tenantId, s);
    const page = q.by === "terms" ? q.ids.compile() : q.items.compile();
    const count = q.count.compile();
    const [[rows], [[total]]] = await Promise.all([
      pool.query<RowDataPacket[]>(page.sql, page.parameters as unknown[]),
      pool.query<RowDataPacket[]>(count.sql, count.parameters as unknown[]),
    ]);
    let items = rows;
    if (q.by === "terms" && rows.length) {
      const byIds = customersByIdsQuery(db, tenantId, rows.map((r) => String(r.customer_id))).compile();
      [items] = await pool.query<RowDataPacket[]>(byIds.sql, byIds.parameters as unknown[]);
    }
    json(res, 200, { items, totalCount: Number(total?.n ?? 0) });
  }

  type Address = { street: string; city: string; state: string; zipCode: string; country: string };
  type CreateBody = {
    type: CustomerType;
    companyName?: string;
    firstName?: string;
    lastName?: string;
    industry?: string | null;
    website?: string | null;
    primaryEmail: string;
    secondaryEmail?: string | null;
    primaryPhone: string;
    secondaryPhone?: string | null;
    billingAddress: Address;
    shippingAddress?: Address;
    shippingSameAsBilling?: boolean;
  };

  const PREFERENCES = JSON.stringify(DEFAULT_PREFERENCES);
  const CUSTOMER_COLUMNS =
    "id, tenant_id, customer_number, type, company_name, first_name, last_name, industry, website, segment, lifetime_value, total_events, rating, status, " +
    "primary_email, secondary_email, primary_phone, secondary_phone, billing_street, billing_city, billing_state, billing_zip_code, billing_country, " +
    "shipping_street, shipping_city, shipping_state, shipping_zip_code, shipping_country, preferences, is_deleted, deleted_at, deleted_by, status_reason, " +
    "created_at, created_by, last_modified_at, last_modified_by, version";
  const TERM_COLUMNS = "tenant_id, term, customer_id, is_deleted, status, type, segment, company_name, customer_number, created_at, last_modified_at";
  const ACTOR = "bench-runner";

  /**
   * The API's create with the same statements: the customer number from the tenant's sequence (its
   * own statement, outside the transaction, as the API does), then in one transaction the customer
   * row, its search terms, one audit_log row and one domain_events (outbox) row.
   */
  async function create(res: ServerResponse, b: CreateBody) {
    const [seq] = await pool.query<ResultSetHeader>(
      "INSERT INTO sequences (tenant_id, name, last_value) VALUES (?, 'customer', LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + 1)",
      [tenantId],
    );
    const id = randomUUID();
    const customerNumber = `CUS-${String(seq.insertId).padStart(6, "0")}`;
    const now = new Date();
    const individual = b.type === "Individual";
    const companyName = b.companyName?.trim() || [b.firstName, b.lastName].filter(Boolean).join(" ");
    const segment = initialSegment(b.type);
    const ship = b.shippingSameAsBilling ? b.billingAddress : b.shippingAddress;
    const customer = [
      id, tenantId, customerNumber, b.type, companyName, individual ? (b.firstName ?? null) : null, individual ? (b.lastName ?? null) : null,
      b.industry ?? null, b.website ?? null, segment, "0.00", 0, "Unrated", "Active",
      b.primaryEmail, b.secondaryEmail ?? null, b.primaryPhone, b.secondaryPhone ?? null,
      b.billingAddress.street, b.billingAddress.city, b.billingAddress.state, b.billingAddress.zipCode, b.billingAddress.country,
      ship?.street ?? null, ship?.city ?? null, ship?.state ?? null, ship?.zipCode ?? null, ship?.country ?? null,
      PREFERENCES, 0, null, null, null, now, ACTOR, null, null, 1,
    ];
    const terms = searchTerms(companyName, b.primaryEmail).map((term) => [tenantId, term, id, 0, "Active", b.type, segment, companyName, customerNumber, now, null]);
    const event = {
      customerId: id,
      customerNumber,
      companyName,
      type: b.type,
      primaryEmail: b.primaryEmail,
      primaryPhone: b.primaryPhone,
      registeredAt: now.toISOString(),
      registeredBy: ACTOR,
    };
    let conn: PoolConnection | undefined;
    try {
      conn = await pool.getConnection();
      await conn.query("BEGIN");
      await conn.query(`INSERT INTO customers (${CUSTOMER_COLUMNS}) VALUES (?)`, [customer]);
      if (terms.length) await conn.query(`INSERT INTO customer_search_terms (${TERM_COLUMNS}) VALUES ?`, [terms]);
      await conn.query("INSERT INTO audit_log (tenant_id, entity_type, entity_id, action, actor_id, occurred_at, changes, trace_id) VALUES (?, 'Customer', ?, 'CustomerRegistered', ?, ?, '{}', ?)", [
        tenantId, id, ACTOR, now, randomUUID(),
      ]);
      await conn.query(
        "INSERT INTO domain_events (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, topic, payload, occurred_at, actor, published_at) VALUES (?, ?, 'Customer', ?, 1, 'CustomerRegistered', ?, ?, ?, ?, NULL)",
        [randomUUID(), tenantId, id, topicFor("Customer"), JSON.stringify(event), now, ACTOR],
      );
      await conn.query("COMMIT");
    } catch (error) {
      await conn?.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      conn?.release();
    }
    json(res, 201, { id, customerNumber, companyName, status: "Active", createdAt: now.toISOString(), version: 1 });
  }

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  };

  const PREFIX = "/customers/";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "";
    if (path === "/health") res.end("ok");
    else if (req.method === "POST" && path === "/customers") await create(res, JSON.parse(await readBody(req)) as CreateBody);
    else if (req.method === "GET" && path.startsWith("/customers/search?")) await search(res, new URLSearchParams(path.slice(path.indexOf("?") + 1)));
    else if (req.method === "GET" && path.startsWith(PREFIX)) await pointSelect(res, path.slice(PREFIX.length));
    else res.writeHead(404).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end((error as Error).message);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => {
    if (!cluster.isWorker) console.log(`${READY} (1 process)`);
  });

  const stop = () => server.close(() => callbackPool.end(() => process.exit(0)));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
