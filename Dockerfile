# syntax=docker/dockerfile:1
#
# One image for every Én kontakt command; the command is the container's argument:
#   docker run IMAGE coordinator            (faust worker; /isalive on 8081)
#   docker run IMAGE notifier               (faust worker; /isalive on 8082)
#   docker run IMAGE api --host 0.0.0.0     (HTTP API and dashboard; 8080)
#   docker run IMAGE project | deliver | topics create | dlq list | replay FILE ...
# ENKONTAKT_HEALTH_URL tells the health check where the command serves /isalive
# ("off" for commands without an HTTP server).

# Python 3.11 on Debian bookworm, pinned by tag and by the digest of its
# multi-architecture index. To move to a newer patch release, change both:
#   docker buildx imagetools inspect python:3.11.X-slim-bookworm
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

# --- build: wheels of the project and of every pinned dependency -----------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A compiler for any dependency without a wheel for this platform; it stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY enkontakt ./enkontakt
RUN pip wheel --wheel-dir /wheels ".[rocksdb]"

# --- runtime: the wheels installed, nothing else ---------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENKONTAKT_DATA_DIR=/var/lib/enkontakt \
    ENKONTAKT_HEALTH_URL=http://127.0.0.1:8080/isalive
RUN groupadd --system --gid 10001 enkontakt \
    && useradd --system --uid 10001 --gid enkontakt --no-create-home \
       --home-dir /var/lib/enkontakt --shell /usr/sbin/nologin enkontakt \
    && install -d -o enkontakt -g enkontakt -m 0750 /var/lib/enkontakt
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels "enkontakt[rocksdb]"
COPY deploy/docker/healthcheck.py /usr/local/lib/enkontakt/healthcheck.py

USER 10001:10001
WORKDIR /var/lib/enkontakt
EXPOSE 8080 8081 8082
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "/usr/local/lib/enkontakt/healthcheck.py"]
ENTRYPOINT ["enkontakt"]
CMD ["--help"]
