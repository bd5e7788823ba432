"""The test kit: injected faults and the request journal in front of the API, the sandbox
as served (the web app with them), the in-process transports, the pytest plugin, and a
sandbox started as a process. May use every layer."""
