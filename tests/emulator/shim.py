"""A loopback proxy in front of moto that makes it speak what the current Rust SDK speaks.

It forwards every request as-is, except:
  (a) CloudWatch over rpcv2Cbor (POST /service/GraniteServiceVersion20100801/operation/<Op>):
      CBOR request -> AWS JSON 1.0 request to moto -> JSON reply -> CBOR reply, timestamps as
      CBOR tag 1, errors as {"__type", "message"} (moto 5.2.5 only speaks Query/JSON here);
  (b) GetTraceSummaries replies: moto writes "Users": {} where the model says a list;
  (c) StartQuery's endTime: AWS includes the whole second, moto only its first millisecond.

Test control API (never forwarded):
  POST /__control/outage?seconds=N        drop every connection to this shim for N seconds
  POST /__control/hang?seconds=N          for N seconds, take every request and never answer it
                                          (the connection stays open, then closes unanswered)
  POST /__control/empty_pages?n=N         the next FilterLogEvents reads answer N empty pages with
                                          a nextToken each before moto's answer (a busy group
                                          scanned for a rare match); counted per read
  POST /__control/silent_tail?seconds=N   Live Tail sessions started in the next N seconds open
                                          (HTTP 200, event stream) and then send nothing at all
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
import struct
import threading
import time
import urllib.parse
import zlib
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


def event_message(event_type, payload):
    """One message of the AWS event stream encoding: prelude (total and header lengths, CRC),
    string headers, a JSON payload, and the message CRC."""
    def header(name, value):
        n, v = name.encode(), value.encode()
        return bytes([len(n)]) + n + bytes([7]) + struct.pack(">H", len(v)) + v
    headers = (header(":message-type", "event") + header(":event-type", event_type)
               + header(":content-type", "application/json"))
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + body
    return message + struct.pack(">I", zlib.crc32(message))


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
        if time.time() < st["hang_until"]:
            # Took the request, never answers: only a deadline on the client ends this.
            while time.time() < st["hang_until"]:
                time.sleep(0.1)
            self.close_connection = True
            return
        op = operation_of(self.command, self.path, self.headers)
        if op == "StartLiveTail" and time.time() < st["silent_until"]:
            return self.silent_stream(st["silent_until"])
        if op == "StartQuery":
            # AWS reads endTime as a whole second, both ends inclusive; moto as an instant
            # (events after endTime * 1000 ms are left out): one more second makes them agree.
            req = json.loads(body or b"{}")
            if isinstance(req.get("endTime"), int):
                req["endTime"] += 1
                body = json.dumps(req).encode()
        if op == "FilterLogEvents" and st["empty_pages"] > 0:
            page = self.empty_page(body)
            if page is not None:
                return page
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

    def silent_stream(self, until):
        """A Live Tail session that opens and then says nothing (AWS sends an update every
        second, even an empty one: silence means the stream is dead)."""
        with self.server.state["lock"]:
            self.server.state["stats"]["StartLiveTail"] = self.server.state["stats"].get("StartLiveTail", 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        # The session starts as AWS starts it, then nothing more comes.
        start = event_message("sessionStart", {"requestId": "silent", "sessionId": "silent"})
        self.wfile.write(b"%x\r\n%s\r\n" % (len(start), start))
        self.wfile.flush()
        while time.time() < until:
            time.sleep(0.1)
        self.close_connection = True

    def empty_page(self, body):
        """An empty page with a token while the scan goes on; moto's answer once `n` are spent.
        Our tokens say how many empty pages this read has had."""
        st = self.server.state
        req = json.loads(body or b"{}")
        token = req.get("nextToken") or ""
        ours = token.startswith("shim-empty-")
        seen = int(token[len("shim-empty-"):]) if ours else 0
        if (token and not ours) or seen >= st["empty_pages"]:
            req.pop("nextToken", None)
            status, headers, out = self.forward("POST", self.path, dict(self.headers), json.dumps(req).encode())
            return self.reply(status, out, headers)
        doc = {"events": [], "searchedLogStreams": [], "nextToken": f"shim-empty-{seen + 1}"}
        return self.reply(200, json.dumps(doc).encode(), {"Content-Type": "application/x-amz-json-1.1"})

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
        elif url.path == "/__control/hang":
            st["hang_until"] = time.time() + float(q.get("seconds", "5"))
        elif url.path == "/__control/empty_pages":
            st["empty_pages"] = int(q.get("n", "0"))
        elif url.path == "/__control/silent_tail":
            st["silent_until"] = time.time() + float(q.get("seconds", "30"))
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
    server.state = {"lock": threading.Lock(), "stats": {}, "queries": [], "throttle": {}, "outage_until": 0.0,
                    "hang_until": 0.0, "silent_until": 0.0, "empty_pages": 0}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"
