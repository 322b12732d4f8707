"""A loopback proxy in front of moto that makes it speak what the current Rust SDK speaks.

It forwards every request as-is, except:
  (a) CloudWatch over rpcv2Cbor (POST /service/GraniteServiceVersion20100801/operation/<Op>):
      CBOR request -> AWS JSON 1.0 request to moto -> JSON reply -> CBOR reply, timestamps as
      CBOR tag 1, errors as {"__type", "message"} (moto 5.2.5 only speaks Query/JSON here);
  (b) GetTraceSummaries replies: moto writes "Users": {} where the model says a list.

Test control API (never forwarded):
  POST /__control/outage?seconds=N        drop every connection to this shim for N seconds
  POST /__control/throttle?op=Op&n=N      answer the next N calls of Op with a throttling error
  POST /__control/shim                    start another shim on moto: {"endpoint": ...}
  POST /__control/put_logs                {"region","group","stream","events":[{timestamp,message}]}
  POST /__control/put_traces              {"region","documents":[segment document, ...]}
  POST /__control/seed_functions?region=R&n=N[&metrics=1]
                                          a big account, once per region: {"failing": [[name, %], ...]}
  GET  /__control/stats                   {"<Op>": calls seen} for this shim, and under
                                          "queries" the MetricDataQueries of each
                                          GetMetricData call, in order
"""

import datetime as dt
import http.client
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2

CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
TIMESTAMP_KEYS = {"Timestamp", "Timestamps", "StartTime", "EndTime", "StateUpdatedTimestamp",
                  "StateTransitionedTimestamp", "AlarmConfigurationUpdatedTimestamp", "EvaluationDate"}
XRAY_PATHS = {"/TraceSummaries": "GetTraceSummaries", "/Traces": "BatchGetTraces", "/ServiceGraph": "GetServiceGraph"}


class Control:
    def __init__(self, put_logs, seed_many, put_traces=None):
        self.put_logs, self.seed_many, self.put_traces = put_logs, seed_many, put_traces


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_epoch(v):
    """CBOR datetimes -> epoch seconds, recursively, for the JSON request to moto."""
    if isinstance(v, dt.datetime):
        return v.timestamp()
    if isinstance(v, dict):
        return {k: to_epoch(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_epoch(x) for x in v]
    return v


def to_datetime(v):
    if isinstance(v, (int, float)):
        return dt.datetime.fromtimestamp(v, dt.timezone.utc)
    if isinstance(v, str):
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return v


def mark_timestamps(v):
    """JSON reply -> Python datetimes where the model has timestamps (cbor2 writes tag 1)."""
    if isinstance(v, dict):
        out = {}
        for k, val in v.items():
            if k in TIMESTAMP_KEYS:
                out[k] = [to_datetime(x) for x in val] if isinstance(val, list) else to_datetime(val)
            else:
                out[k] = mark_timestamps(val)
        return out
    if isinstance(v, list):
        return [mark_timestamps(x) for x in v]
    return v


def operation_of(method, path, headers):
    target = headers.get("X-Amz-Target", "")
    if target:
        return target.split(".")[-1]
    if path.startswith(CBOR_PREFIX):
        return path[len(CBOR_PREFIX):]
    if path.split("?")[0] in XRAY_PATHS:
        return XRAY_PATHS[path.split("?")[0]]
    if path.split("?")[0].endswith("/versions"):
        return "ListVersionsByFunction"
    if path.startswith("/2015-03-31/functions"):
        return "ListFunctions" if path.split("?")[0].rstrip("/") == "/2015-03-31/functions" else "GetFunction"
    return f"{method} {path}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        st = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/__control/"):
            return self.control(body)
        if time.time() < st["outage_until"]:
            self.close_connection = True  # hang up without a response: the client sees a dead endpoint
            return
        op = operation_of(self.command, self.path, self.headers)
        with st["lock"]:
            st["stats"][op] = st["stats"].get(op, 0) + 1
            throttled = st["throttle"].get(op, 0) > 0
            if throttled:
                st["throttle"][op] -= 1
        cbor = self.path.startswith(CBOR_PREFIX)
        if throttled:
            return self.throttle(op, cbor)
        if cbor:
            return self.cbor_call(op, body)
        status, headers, out = self.forward(self.command, self.path, dict(self.headers), body)
        if self.path.split("?")[0] == "/TraceSummaries" and status == 200:
            doc = json.loads(out)
            for s in doc.get("TraceSummaries", []):
                if isinstance(s.get("Users"), dict):
                    s["Users"] = []
            out = json.dumps(doc).encode()
        self.reply(status, out, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.server.moto_host, timeout=60)
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "connection", "expect")}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        out = r.read()
        keep = {k: v for k, v in r.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server")}
        conn.close()
        return r.status, keep, out

    def cbor_call(self, op, body):
        request = to_epoch(cbor2.loads(body)) if body else {}
        if op == "GetMetricData":
            with self.server.state["lock"]:
                self.server.state["queries"].append(len(request.get("MetricDataQueries", [])))
        auth = self.headers.get("Authorization", "")
        region = auth.split("Credential=")[1].split("/")[2] if "Credential=" in auth else "us-east-1"
        headers = {"X-Amz-Target": f"GraniteServiceVersion20100801.{op}", "Content-Type": "application/x-amz-json-1.0",
                   "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/monitoring/aws4_request, "
                                    "SignedHeaders=host, Signature=00"}
        status, _, out = self.forward("POST", "/", headers, json.dumps(request).encode())
        try:
            doc = json.loads(out) if out else {}
        except ValueError:
            doc = {"__type": "InternalFailure", "message": f"the emulator failed (HTTP {status})"}
        if status >= 400:
            code = doc.get("__type") or doc.get("Error", {}).get("Code") or "InternalFailure"
            doc = {"__type": code.split("#")[-1], "message": doc.get("message") or doc.get("Message") or ""}
        else:
            doc = mark_timestamps(doc)
        self.reply(status, cbor2.dumps(doc, datetime_as_timestamp=True),
                   {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})

    def throttle(self, op, cbor):
        if cbor:
            return self.reply(400, cbor2.dumps({"__type": "Throttling", "message": "Rate exceeded"}),
                              {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
        code = {"ListFunctions": "TooManyRequestsException", "GetFunction": "TooManyRequestsException"}.get(op, "ThrottlingException")
        status = 429 if code == "TooManyRequestsException" or op in XRAY_PATHS.values() else 400
        body = json.dumps({"__type": code, "message": "Rate exceeded"}).encode()
        self.reply(status, body, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code, "Retry-After": "1"})

    def control(self, body):
        st = self.server.state
        url = urllib.parse.urlparse(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        result = {}
        if url.path == "/__control/outage":
            st["outage_until"] = time.time() + float(q.get("seconds", "5"))
        elif url.path == "/__control/throttle":
            with st["lock"]:
                st["throttle"][q["op"]] = int(q.get("n", "1"))
        elif url.path == "/__control/shim":
            result = {"endpoint": start(self.server.moto_url, self.server.control)}
        elif url.path == "/__control/put_logs":
            req = json.loads(body)
            self.server.control.put_logs(req.get("region", "us-east-1"), req["group"], req["stream"], req["events"])
        elif url.path == "/__control/put_traces":
            req = json.loads(body)
            self.server.control.put_traces(req.get("region", "us-east-1"), req["documents"])
        elif url.path == "/__control/seed_functions":
            result = self.server.control.seed_many(q.get("region", "us-west-2"), int(q.get("n", "10")),
                                                   q.get("metrics") == "1")
        elif url.path == "/__control/stats":
            with st["lock"]:
                result = dict(st["stats"])
                if st["queries"]:
                    result["queries"] = list(st["queries"])
        else:
            return self.reply(404, b"{}", {"Content-Type": "application/json"})
        self.reply(200, json.dumps(result).encode(), {"Content-Type": "application/json"})


def start(moto_url, control):
    """Starts a shim on a free loopback port in front of moto; returns its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.moto_url, server.moto_host, server.control = moto_url, urllib.parse.urlparse(moto_url).netloc, control
    server.state = {"lock": threading.Lock(), "stats": {}, "queries": [], "throttle": {}, "outage_until": 0.0}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"
