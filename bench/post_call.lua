-- wrk: POST a click2dial to every request (bench_sandbox.py's create_call rate).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"from": {"destination": "1001", "type": "extension"}, "to": {"destination": "15551234567", "type": "pstn"}}'
