import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo } from "node:net";

export type CapturedRequest = {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  form: Record<string, string>;
};

export type Reply = { status: number; body: unknown };

/** Answers each request with the next scripted reply (or a default 201) and captures it. */
export async function startFakeTwilioApi(): Promise<{
  url: string;
  requests: CapturedRequest[];
  reply: (next: Reply) => void;
  close: () => Promise<void>;
}> {
  const requests: CapturedRequest[] = [];
  const replies: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, form });
      const next = replies.shift() ?? {
        status: 201,
        body: {
          sid: `SM${"0".repeat(31)}${requests.length}`,
          status: "queued",
          to: form.To,
          from: form.From ?? null,
          body: form.Body,
          num_segments: form.MessagingServiceSid ? "0" : "1",
        },
      };
      res.writeHead(next.status, { "content-type": "application/json" });
      res.end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (next) => replies.push(next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
