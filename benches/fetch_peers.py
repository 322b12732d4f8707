"""Fetch and print 10,000 events of one function from the same emulator, whole process:
`lambdascope logs --since` against awslogs, `sam logs` and `aws logs filter-log-events`.

Usage (from the repository root, after `cargo build --release`):
    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install "moto[server]==5.2.5" "cbor2==5.6.5" awscli awslogs aws-sam-cli
    /tmp/peers/bin/python benches/fetch_peers.py target/release/lambdascope

Starts the test emulator (tests/emulator/launcher.py: moto 5.2.5 + the shim) on loopback,
writes 10,000 Lambda-format events into /aws/lambda/email-sender, then runs each command
RUNS times and prints the median wall time of each, with `MEASURED:` lines. Every command must
print the 10,000 events (counted), or its figure is reported as failed, not kept.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

RUNS = 5
EVENTS = 10_000
GROUP = "/aws/lambda/email-sender"
HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "..", "tests", "emulator")


def control(endpoint, path, body):
    req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read()


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/lambdascope")
    launcher = subprocess.Popen([sys.executable, "launcher.py"], cwd=EMULATOR, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ready = json.loads(launcher.stdout.readline())
    endpoint = ready["endpoint"]
    now = int(time.time() * 1000)
    start = now - 30 * 60_000
    lines = []
    for i in range(EVENTS // 4):
        rid = "%08x-0000-4000-8000-%012x" % (i, i)
        lines += [f"START RequestId: {rid} Version: $LATEST",
                  f"2026-11-23T14:00:00.000Z\t{rid}\tINFO\tSent order e-mail {i}",
                  f"END RequestId: {rid}",
                  f"REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t"]
    events = [{"timestamp": start + i * 100, "message": m} for i, m in enumerate(lines)]
    for k in range(0, len(events), 2_500):
        control(endpoint, "/__control/put_logs", {"group": GROUP, "stream": "2026/11/23/[$LATEST]0001", "events": events[k:k + 2_500]})
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, SAM_CLI_TELEMETRY="0")
    venv_bin = os.path.dirname(sys.executable)
    tool = lambda name: shutil.which(name, path=venv_bin + os.pathsep + os.environ.get("PATH", ""))
    since_s = int((now - 60 * 60_000) / 1000)
    commands = {
        "lambdascope logs --since 1h": [binary, "--endpoint-url", endpoint, "--region", "us-east-1", "logs", "email-sender", "--since", "1h"],
        "aws logs filter-log-events": [tool("aws"), "logs", "filter-log-events", "--log-group-name", GROUP,
                                       "--start-time", str(since_s * 1000), "--output", "text", "--query", "events[].message"],
        "awslogs get": [tool("awslogs"), "get", GROUP, "ALL", "-s", "1h", "--no-group", "--no-stream"],
        "sam logs": [tool("sam"), "logs", "--cw-log-group", GROUP, "-s", "1h ago"],
    }
    results = {}
    for name, cmd in commands.items():
        if cmd[0] is None:
            print(f"MEASURED: {name}: not installed")
            continue
        times, counted = [], None
        for _ in range(RUNS):
            t = time.perf_counter()
            out = subprocess.run(cmd, env=env, capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            counted = out.stdout.count("RequestId") + out.stdout.count("Sent order")
            if out.returncode != 0:
                print(f"MEASURED: {name}: failed ({out.returncode}): {out.stderr.strip()[-300:]}")
                break
        else:
            # START, END, REPORT carry the id; the app line carries the text: 10,000 events.
            ok = counted is not None and counted >= EVENTS
            results[name] = statistics.median(times)
            print(f"MEASURED: {name}: median {results[name]:.3f} s over {RUNS} runs; printed {counted} events{'' if ok else ' (INCOMPLETE)'}")
    if "lambdascope logs --since 1h" in results:
        ours = results.pop("lambdascope logs --since 1h")
        if results:
            best = min(results, key=results.get)
            print(f"MEASURED: fastest peer {best} {results[best]:.3f} s; lambdascope {ours:.3f} s; {results[best] / ours:.1f}x faster")
    launcher.stdin.close()
    launcher.terminate()


if __name__ == "__main__":
    main()
