FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && useradd --create-home watchfloor
USER watchfloor
ENV WATCHFLOOR_ENV=production
EXPOSE 8000
CMD ["watchfloor", "serve", "--host", "0.0.0.0", "--port", "8000"]
