// A stand-in for the trading dashboard: plain Node, no packages.
// GET /health -> 200 {"status":"ok"}; GET / -> a tiny HTML page. Listens on 127.0.0.1:$PORT.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3400);
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:8000';

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', uptimeS: Math.round(process.uptime()) }));
  } else if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<h1>Trading dashboard</h1><p>API at ${apiUrl}</p>\n`);
  } else {
    res.writeHead(404).end();
  }
});

server.listen(port, '127.0.0.1', () => console.log(`dashboard: listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('dashboard: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
