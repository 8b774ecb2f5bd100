import type { FastifyInstance } from "fastify";

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Phoenix</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
    code { background: #f3f3f3; padding: 0 .25rem; border-radius: 3px; }
  </style>
</head>
<body>
  <h1>Phoenix</h1>
  <p>It rises again. Endpoints:</p>
  <ul>
    <li><code>GET /health</code> — liveness, event-loop delay and database state</li>
    <li><code>GET /generatecert</code> — a fresh RSA-2048 key pair and self-signed certificate</li>
    <li><code>GET /crash</code> — stops this process; the platform brings it back</li>
  </ul>
</body>
</html>
`;

export function registerHomeRoute(app: FastifyInstance): void {
  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(page));
}
