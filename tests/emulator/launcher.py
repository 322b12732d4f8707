"""The AWS emulator for lambdascope's tests: moto 5.2.5, a small shim in front of it, seed data.

Started once per test binary by tests/common/emulator.rs. Prints one JSON line when ready:
    {"endpoint": "http://127.0.0.1:<shim>", "moto": "http://127.0.0.1:<moto>", "seeded_at": <ms>,
     "hostile_region": <a region whose one function carries escape sequences>}
and exits by itself when its parent (the test process) dies or closes our stdin.

The shim (see shim.py) forwards everything to moto, translating CloudWatch's rpcv2Cbor and
mending moto's GetTraceSummaries; it also has a /__control/ API for the fault tests.
fast_metrics.py indexes moto's GetMetricData so that a 1,000-function account answers quickly.
"""

import io
import json
import os
import random
import sys
import threading
import time
import zipfile

import base64

import boto3
from moto.awslambda.models import lambda_backends
from moto.server import ThreadedMotoServer

import fast_metrics
import shim

REGION = "us-east-1"
ACCOUNT = "123456789012"
ACCOUNT_ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def clients(moto_url, region=REGION):
    kw = dict(endpoint_url=moto_url, region_name=region, aws_access_key_id="test", aws_secret_access_key="test")
    return {name: boto3.client(name, **kw) for name in ("iam", "lambda", "logs", "cloudwatch", "xray")}


def tiny_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


# name, runtime, memory, timeout, tracing
FUNCTIONS = [
    ("orders-api-create", "python3.12", 512, 10, "Active"),
    ("orders-api-get", "python3.12", 256, 5, "Active"),
    ("payments-webhook", "nodejs20.x", 1024, 30, "Active"),
    ("inventory-sync", "java21", 2048, 900, "PassThrough"),
    ("thumbnail-resize", "provided.al2023", 1536, 60, "PassThrough"),
    ("email-sender", "nodejs20.x", 128, 15, "PassThrough"),
]

# Log events per seeded group; enough for several FilterLogEvents pages.
INVOCATIONS_PER_GROUP = 40


def seed_functions(c, names_and_specs, role):
    code = tiny_zip()
    for name, runtime, memory, timeout, tracing in names_and_specs:
        c["lambda"].create_function(
            FunctionName=name, Runtime=runtime, Role=role, Handler="index.handler", Code={"ZipFile": code},
            MemorySize=memory, Timeout=timeout, TracingConfig={"Mode": tracing},
            Description=f"{name} (seeded by lambdascope tests)",
        )


def create_directly(region, names, role, handler="index.handler", description=None):
    """Functions created in moto's own backend (this process runs it): 0.2 ms each, where a
    CreateFunction over HTTP takes 30 ms, so a 1,000-function account is ready in a blink."""
    backend = lambda_backends[ACCOUNT][region]
    code = base64.b64encode(tiny_zip()).decode()
    for name in names:
        backend.create_function({
            "FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": handler,
            "Code": {"ZipFile": code}, "MemorySize": 128, "Timeout": 3, "TracingConfig": {"Mode": "PassThrough"},
            "Description": description if description is not None else f"{name} (seeded by lambdascope tests)",
        })


# A region with one function whose description and handler carry what a hostile account could
# put there: bidi overrides, OSC 52 (set the clipboard), OSC 0 (set the title), CSI (clear the
# screen, move the cursor), a C1 CSI, BEL and BS.
HOSTILE_REGION = "ap-southeast-2"
EVIL = "\u202e\u2066\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x1b[2J\x1b[H\x9b31mevil\x07\x08"


def seed_hostile(moto_url):
    c = clients(moto_url, HOSTILE_REGION)
    role = c["iam"].create_role(RoleName="hostile-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    create_directly(HOSTILE_REGION, ["hostile-fn"], role, handler=f"app.handler{EVIL}",
                    description=f"description{EVIL}")


def seed_account_metrics(c, names, now_ms):
    """An hour of AWS/Lambda metrics for a big account: every function is invoked; one in 25
    fails a little (about 2 % errors) and one in 100 is throttled once; the last three names
    in the alphabet fail badly (40, 60 and 80 % errors), so a health sort that only looked at
    the first rows would never see them. One datapoint per series keeps moto quick."""
    data, failing = [], {}
    worst = {names[-3]: 0.4, names[-2]: 0.6, names[-1]: 0.8}
    for i, name in enumerate(names):
        dims = [{"Name": "FunctionName", "Value": name}]
        # Spread over the last half hour; the worst are the most recent, so they stay in a 1 h
        # window for the longest.
        ts = (now_ms - (2 if name in worst else 2 + i % 30) * 60_000) / 1000.0
        invocations = 100.0 + i % 50
        errors = round(invocations * worst[name]) if name in worst else (2.0 if i % 25 == 0 else 0.0)
        data.append({"MetricName": "Invocations", "Dimensions": dims, "Timestamp": ts, "Value": invocations})
        if errors:
            data.append({"MetricName": "Errors", "Dimensions": dims, "Timestamp": ts, "Value": float(errors)})
        if i % 100 == 50:
            data.append({"MetricName": "Throttles", "Dimensions": dims, "Timestamp": ts, "Value": 1.0})
        if name in worst:
            failing[name] = 100.0 * errors / invocations
    for i in range(0, len(data), 500):
        c["cloudwatch"].put_metric_data(Namespace="AWS/Lambda", MetricData=data[i:i + 500])
    # Worst first: [[name, error rate %], ...]
    return {"failing": sorted(failing.items(), key=lambda kv: -kv[1])}


def invocation_lines(rng, cold):
    """The exact text-format platform lines of one invocation, REPORT with XRAY in one event."""
    rid = "%08x-%04x-%04x-%04x-%012x" % tuple(rng.getrandbits(b) for b in (32, 16, 16, 16, 48))
    trace = "1-%08x-%024x" % (int(time.time()), rng.getrandbits(96))
    duration = rng.uniform(3, 300)
    report = (f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
              f"Memory Size: 512 MB\tMax Memory Used: {rng.randint(60, 200)} MB\t")
    if cold:
        report += f"Init Duration: {rng.uniform(100, 900):.2f} ms\t"
    report += f"\nXRAY TraceId: {trace}\tSegmentId: {rng.getrandbits(64):016x}\tSampled: true"
    return [f"START RequestId: {rid} Version: $LATEST", f"[INFO]\t2026-01-01T00:00:00.000Z\t{rid}\thandling order",
            f"END RequestId: {rid}", report]


def seed_logs(c, now_ms):
    rng = random.Random(7)
    for name, *_ in FUNCTIONS[:3]:
        group = f"/aws/lambda/{name}"
        c["logs"].create_log_group(logGroupName=group)
        stream = "2026/11/23/[$LATEST]%032x" % rng.getrandbits(128)
        c["logs"].create_log_stream(logGroupName=group, logStreamName=stream)
        events, t = [], now_ms - 30 * 60_000
        for i in range(INVOCATIONS_PER_GROUP):
            for line in invocation_lines(rng, cold=(i % 10 == 0)):
                events.append({"timestamp": t, "message": line})
                t += 7
            t += 20_000
        c["logs"].put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    # A quiet group for the tail tests to write into.
    c["logs"].create_log_group(logGroupName="/aws/lambda/email-sender")


def seed_metrics(c, now_ms):
    rng = random.Random(11)
    data = []
    for name, *_ in FUNCTIONS[:3]:
        dims = [{"Name": "FunctionName", "Value": name}]
        for minute in range(30):
            ts = (now_ms - (30 - minute) * 60_000) / 1000.0
            data.append({"MetricName": "Invocations", "Dimensions": dims, "Timestamp": ts, "Value": 10.0})
            data.append({"MetricName": "Errors", "Dimensions": dims, "Timestamp": ts, "Value": float(minute % 3 == 0)})
            data.append({"MetricName": "Duration", "Dimensions": dims, "Timestamp": ts,
                         "Values": [rng.uniform(5, 50) for _ in range(5)], "Counts": [2.0] * 5})
    for i in range(0, len(data), 500):
        c["cloudwatch"].put_metric_data(Namespace="AWS/Lambda", MetricData=data[i:i + 500])


def seed_traces(c, now_ms):
    """API Gateway → Lambda → Lambda::Function (Initialization/Invocation/Overhead) → DynamoDB."""
    rng = random.Random(13)
    docs = []
    for n in range(3):
        start = now_ms / 1000.0 - 600 + n * 60
        trace_id = "1-%08x-%024x" % (int(start), rng.getrandbits(96))
        ids = ["%016x" % rng.getrandbits(64) for _ in range(8)]
        fault = n == 2
        # moto counts a "fault" key as a fault whatever its value, so write it only when true.
        flag = {"fault": True} if fault else {}
        docs.append({"trace_id": trace_id, "id": ids[0], "name": "orders-api/prod", "origin": "AWS::ApiGateway::Stage",
                     "start_time": start, "end_time": start + 0.5, **flag,
                     "http": {"request": {"method": "POST", "url": "https://api.example.com/prod/orders"},
                              "response": {"status": 502 if fault else 201}},
                     "subsegments": [{"id": ids[1], "name": "Lambda", "namespace": "aws", "start_time": start + 0.01,
                                      "end_time": start + 0.49, "aws": {"operation": "Invoke", "function_name": "orders-api-create"}}]})
        docs.append({"trace_id": trace_id, "id": ids[2], "parent_id": ids[1], "name": "orders-api-create", "origin": "AWS::Lambda",
                     "start_time": start + 0.02, "end_time": start + 0.48, "http": {"response": {"status": 200}},
                     "aws": {"request_id": f"req-{n}"}})
        subs = [{"id": ids[4], "name": "Invocation", "start_time": start + 0.2, "end_time": start + 0.45,
                 "subsegments": [{"id": ids[5], "name": "DynamoDB", "namespace": "aws", "start_time": start + 0.3, "end_time": start + 0.4,
                                  **flag, "http": {"response": {"status": 500 if fault else 200}},
                                  "aws": {"operation": "PutItem", "table_name": "orders", "request_id": f"ddb-{n}"}}]},
                {"id": ids[6], "name": "Overhead", "start_time": start + 0.45, "end_time": start + 0.46}]
        if n == 0:
            subs.insert(0, {"id": ids[3], "name": "Initialization", "start_time": start + 0.02, "end_time": start + 0.2})
        docs.append({"trace_id": trace_id, "id": ids[7], "parent_id": ids[2], "name": "orders-api-create",
                     "origin": "AWS::Lambda::Function", "start_time": start + 0.02, "end_time": start + 0.47,
                     **flag, "subsegments": subs,
                     **({"cause": {"exceptions": [{"message": "ProvisionedThroughputExceeded", "type": "ClientError"}]}} if fault else {})})
    c["xray"].put_trace_segments(TraceSegmentDocuments=[json.dumps(d) for d in docs])


def watch_parent():
    """Exit as soon as the test process is gone: stdin closes or we are re-parented."""
    parent = os.getppid()

    def stdin_eof():
        sys.stdin.read()
        os._exit(0)

    def reparented():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    for f in (stdin_eof, reparented):
        threading.Thread(target=f, daemon=True).start()


def main():
    watch_parent()
    fast_metrics.install()
    port = shim.free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    moto_url = f"http://127.0.0.1:{port}"
    c = clients(moto_url)
    role = c["iam"].create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    now_ms = int(time.time() * 1000)
    seed_functions(c, FUNCTIONS, role)
    seed_logs(c, now_ms)
    seed_metrics(c, now_ms)
    seed_traces(c, now_ms)
    seed_hostile(moto_url)

    seeded, seeding = {}, threading.Lock()

    def seed_many(region, n, metrics):
        """A big account in `region`, once: n functions fn-0000…, and with `metrics` an hour
        of their metrics (see seed_account_metrics). Returns what the tests need to know."""
        with seeding:
            if region not in seeded:
                rc = clients(moto_url, region)
                r = rc["iam"].create_role(RoleName=f"role-{region}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
                names = [f"fn-{i:04}" for i in range(n)]
                create_directly(region, names, r)
                seeded[region] = seed_account_metrics(rc, names, int(time.time() * 1000)) if metrics else {}
            return seeded[region]
    def put_logs(region, group, stream, events):
        lc = clients(moto_url, region)["logs"]
        try:
            lc.create_log_group(logGroupName=group)
        except lc.exceptions.ResourceAlreadyExistsException:
            pass
        try:
            lc.create_log_stream(logGroupName=group, logStreamName=stream)
        except lc.exceptions.ResourceAlreadyExistsException:
            pass
        lc.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    def put_traces(region, documents):
        xc = clients(moto_url, region)["xray"]
        for i in range(0, len(documents), 50):
            xc.put_trace_segments(TraceSegmentDocuments=[json.dumps(d) for d in documents[i:i + 50]])

    endpoint = shim.start(moto_url, shim.Control(put_logs=put_logs, seed_many=seed_many, put_traces=put_traces))
    print(json.dumps({"endpoint": endpoint, "moto": moto_url, "seeded_at": now_ms, "hostile_region": HOSTILE_REGION}),
          flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
