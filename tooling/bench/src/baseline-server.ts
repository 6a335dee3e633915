/**
 * The floor the API is compared with: node:http plus a mysql2 pool doing the same point select,
 * no framework, auth, validation, cache or mapping. Started as its own process by bench.ts.
 */
import { createServer } from "node:http";
import { createPool, type RowDataPacket } from "mysql2";
import { baselineEnv } from "./env";

const { url, port, tenantId, poolSize } = baselineEnv();

// Same pool size and options as the API's (packages/db connection.ts) so only the layers above differ.
const pool = createPool({
  uri: url,
  connectionLimit: poolSize,
  timezone: "Z",
  supportBigNumbers: true,
  enableKeepAlive: true,
});

const PREFIX = "/customers/";

const server = createServer((req, res) => {
  if (req.url === "/health") {
    res.end("ok");
    return;
  }
  if (req.method !== "GET" || !req.url?.startsWith(PREFIX)) {
    res.writeHead(404).end();
    return;
  }
  const id = req.url.slice(PREFIX.length);
  pool.query<RowDataPacket[]>("SELECT * FROM customers WHERE tenant_id = ? AND id = ?", [tenantId, id], (error, rows) => {
    if (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(error.message);
      return;
    }
    const row = rows[0];
    if (!row) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(row));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1");

const stop = () => server.close(() => pool.end(() => process.exit(0)));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
