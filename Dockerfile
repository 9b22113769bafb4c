# Colonnade: one process serving /graphql. Point COLONNADE_REDIS_URL at Redis to run replicas.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY colonnade ./colonnade
COPY connectors ./connectors
COPY resolvers ./resolvers
COPY schema ./schema
COPY sandboxes ./sandboxes
COPY wsdl ./wsdl
RUN pip install --no-cache-dir . && useradd --system colonnade
USER colonnade
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["colonnade", "serve", "--host", "0.0.0.0", "--port", "8000"]
