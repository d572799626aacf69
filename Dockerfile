# Heard's web service (webhooks, simulator, /healthz). Used by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a change to flows or data does not reinstall them.
COPY pyproject.toml README.md ./
COPY lock ./lock
COPY bot ./bot
COPY storage ./storage
RUN pip install -c lock/heard.txt .

# Flows, catalogue and intent examples are data read at start-up, not Python packages.
COPY flows ./flows
COPY nlu_data ./nlu_data

RUN useradd --system --uid 10001 --home-dir /app heard \
    && mkdir -p /app/var && chown heard /app/var
USER heard

ENV HEARD_FLOWS_DIR=/app/flows \
    HEARD_DATA_DIR=/app/var

EXPOSE 8000
CMD ["heard", "run", "--host", "0.0.0.0", "--port", "8000"]
