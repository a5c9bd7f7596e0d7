# Neural Network Lab: one app process per container. Run several replicas behind a load balancer with
# session affinity (see README, "Deploying for a class"); deploy/nginx.conf is a worked example.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY app.py ./
COPY .streamlit ./.streamlit
COPY nn_core ./nn_core
COPY viz ./viz
COPY pages ./pages
COPY assets ./assets

RUN useradd --create-home lab && chown -R lab /app
USER lab
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2).read() != b'ok')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true", \
     "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
