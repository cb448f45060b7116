FROM base AS runtime
COPY . .
CMD ["node", "worker.js"]
