"""The AWS emulator for lambdascope's tests: moto 5.2.5, a small shim in front of it, seed data.

Started once per test binary by tests/emulator/mod.rs. Prints one JSON line when ready:
    {"endpoint": "http://127.0.0.1:<shim>", "moto": "http://127.0.0.1:<moto>", "seeded_at": <ms>}
and exits by itself when its parent (the test process) dies or closes our stdin.

The shim (see shim.py) forwards everything to moto, translating CloudWatch's rpcv2Cbor and
mending moto's GetTraceSummaries; it also has a /__control/ API for the fault tests.
"""

import io
import json
import os
import random
import sys
import threading
import time
import zipfile

import boto3
from moto.server import ThreadedMotoServer

import shim

REGION = "us-east-1"
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

    def seed_many(region, n):
        rc = clients(moto_url, region)
        r = rc["iam"].create_role(RoleName=f"role-{region}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        seed_functions(rc, [(f"fn-{i:04}", "python3.12", 128, 3, "PassThrough") for i in range(n)], r)

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
    print(json.dumps({"endpoint": endpoint, "moto": moto_url, "seeded_at": now_ms}), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
