# syntax=docker/dockerfile:1
# Colonnade: one process serving /graphql. Point COLONNADE_REDIS_URL at Redis to run replicas.
#
# The base image is pinned by digest (a tag can be re-pointed; a digest cannot). To move to a
# newer patch release: `docker buildx imagetools inspect python:3.11-slim-bookworm`, then
# replace the digest below. Every Python package comes from requirements/runtime.lock, checked
# against its hashes; the image carries its CycloneDX SBOM at /opt/colonnade/sbom.cdx.json.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements/ requirements/
RUN python -m venv /opt/colonnade \
 && /opt/colonnade/bin/pip install --require-hashes -r requirements/runtime.lock \
 && python -m venv /opt/tools \
 && /opt/tools/bin/pip install --require-hashes -r requirements/dev.lock
COPY pyproject.toml README.md ./
COPY colonnade/ colonnade/
COPY connectors/ connectors/
COPY resolvers/ resolvers/
COPY schema/ schema/
COPY sandboxes/ sandboxes/
COPY wsdl/ wsdl/
RUN /opt/colonnade/bin/pip install --no-deps --no-build-isolation . \
 && /opt/tools/bin/cyclonedx-py environment /opt/colonnade/bin/python \
      --output-format JSON --output-file /opt/colonnade/sbom.cdx.json \
 && cd / && /opt/colonnade/bin/colonnade check

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/colonnade/bin:$PATH
COPY --from=build /opt/colonnade /opt/colonnade
RUN useradd --system --no-create-home colonnade
USER colonnade
WORKDIR /home
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["colonnade", "serve", "--host", "0.0.0.0", "--port", "8000"]
