"""A stand-in for the trading bot's Python API: plain Python 3, no packages.

GET /health -> 200 {"status": "ok"}; GET / -> a small JSON payload. Listens on 127.0.0.1:$PORT.
"""
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STARTED = time.time()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            body = {"status": "ok", "uptime_s": round(time.time() - STARTED, 1)}
        elif self.path == "/":
            body = {"service": "api", "prices": {"BTC": 97000.0, "ETH": 3400.0}}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


def main():
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: (print("api: SIGTERM, shutting down", flush=True), sys.exit(0)))
    print(f"api: listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
