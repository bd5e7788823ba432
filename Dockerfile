# The sandbox as a container: `docker build -t vbc-sandbox .`, then run it with its state on
# PostgreSQL (compose.yaml runs two instances behind a proxy) or in memory.
FROM python:3.11-slim
WORKDIR /build
# Only what the wheel is built from (see .dockerignore), at the versions CI tests.
COPY pyproject.toml constraints.txt README.md openapi.yaml oauth.yaml vis.yaml ./
COPY generated ./generated
COPY src ./src
RUN pip install --no-cache-dir -c constraints.txt '.[sandbox,postgres]' \
    && cd / && rm -rf /build
WORKDIR /
USER nobody
EXPOSE 8080
# Off loopback the control API is off unless VBC_SANDBOX_ADMIN_TOKEN is set; the state is
# wherever VBC_SANDBOX_DB points (memory without it).
ENTRYPOINT ["vbc-sandbox", "--host", "0.0.0.0", "--port", "8080"]
HEALTHCHECK --interval=10s --timeout=3s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/sandbox/health', timeout=2)"]
