# Neural Network Lab: one app process per container. Run several replicas behind a load balancer with
# session affinity (see README, "Deploying for a class"); deploy/nginx.conf and deploy/k8s/ are worked examples.
# tests/test_deploy.py lints this file, checks every path it copies, and runs its command outside a container.
FROM python:3.11-slim

# Streamlit reads its options from STREAMLIT_* variables too: the port and address live here, so that the
# command stays the README's own `streamlit run app.py`.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STREAMLIT_SERVER_PORT=8501 STREAMLIT_SERVER_ADDRESS=0.0.0.0 STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false STREAMLIT_SERVER_FILE_WATCHER_TYPE=none
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY .streamlit ./.streamlit
COPY nn_core ./nn_core
COPY lessons ./lessons
COPY ui ./ui
COPY viz ./viz
COPY pages ./pages
COPY assets ./assets

RUN useradd --create-home --uid 10001 lab && chown -R lab /app
USER 10001
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import os, sys, urllib.request; url = f\"http://127.0.0.1:{os.environ.get('STREAMLIT_SERVER_PORT', '8501')}/_stcore/health\"; sys.exit(urllib.request.urlopen(url, timeout=2).read() != b'ok')"]
CMD ["streamlit", "run", "app.py"]
