FROM python:3.11-slim
# Pango and a CJK font: PDF exports in Chinese (WeasyPrint).
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home watchfloor
USER watchfloor
ENV WATCHFLOOR_ENV=production
EXPOSE 8000
CMD ["watchfloor", "serve", "--host", "0.0.0.0", "--port", "8000"]
