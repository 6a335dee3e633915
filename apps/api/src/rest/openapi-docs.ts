import express, { Router } from "express";
import { absolutePath } from "swagger-ui-dist";

/** Swagger UI served from the installed package, so the docs work on an offline machine too. */
export function docsRouter(base: string, specUrl: string): Router {
  const r = Router();
  r.get("/", (_req, res) => {
    res.type("html").send(`<!doctype html>
<html><head><meta charset="utf-8"><title>Clientele API</title>
<link rel="stylesheet" href="${base}/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="${base}/assets/swagger-ui-bundle.js"></script>
<script src="${base}/init.js"></script></body></html>`);
  });
  // A file, not an inline script, so the Content-Security-Policy can forbid inline scripts.
  r.get("/init.js", (_req, res) => {
    res.type("text/javascript").send(`window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: "#ui" });`);
  });
  r.use("/assets", express.static(absolutePath(), { index: false, maxAge: "1d" }));
  return r;
}
